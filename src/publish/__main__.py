from publish.launch import run

run()
