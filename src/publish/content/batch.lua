-- publish: convert many articles in one Pandoc process (`pandoc lua batch.lua FILTER`).
-- Reads a JSON array of Markdown texts on stdin and writes a JSON array of results, one per
-- text: {html = "..."} or {error = "..."}. Starting Pandoc costs more than converting a post,
-- so a batch is several times faster than one process per article. Reading is sandboxed (no
-- file may be read), exactly as `pandoc --sandbox` on the command line.

dofile(arg[1])    -- the article filter: defines the global Pandoc(doc) function

local READER = "commonmark_x+autolink_bare_uris+tex_math_gfm-yaml_metadata_block"
local WRITER_OPTIONS = { html_math_method = "mathml", wrap_text = "none" }

local function convert(texts)
  local results = {}
  for i, text in ipairs(texts) do
    local ok, value = pcall(function()
      local doc = pandoc.read(text, READER, {}, {})
      return pandoc.write(Pandoc(doc), "html5", WRITER_OPTIONS)
    end)
    if ok then
      results[i] = { html = value }
    else
      results[i] = { error = tostring(value) }
    end
  end
  return results
end

if arg[2] == "serve" then
  -- Kept alive (publish serve --watch): one batch per line in, its results as one line out.
  for line in io.lines() do
    io.write(pandoc.json.encode(convert(pandoc.json.decode(line, false))), "\n")
    io.flush()
  end
else
  io.write(pandoc.json.encode(convert(pandoc.json.decode(io.read("a"), false))))
end
