-- publish: normalises every article's headings before Pandoc writes HTML.
-- The article title is the page's only h1, so body headings start at h2 and never skip a level
-- (the Nu checker and accessibility checkers reject gaps); ids stay stable and never collide
-- with the ids Pandoc gives footnotes.

local reserved_patterns = { "^footnotes$", "^fn%d+$", "^fnref%d+$", "^cb%d+$", "^cb%d+%-%d+$" }

local function is_reserved(id)
  for _, pattern in ipairs(reserved_patterns) do
    if id:match(pattern) then return true end
  end
  return false
end

function Pandoc(doc)
  -- Rank the heading levels actually used: the shallowest becomes h2, the next h3, ...
  local used = {}
  doc.blocks:walk({ Header = function(h) used[h.level] = true end })
  local levels = {}
  for level in pairs(used) do table.insert(levels, level) end
  table.sort(levels)
  local rank = {}
  for i, level in ipairs(levels) do rank[level] = i + 1 end

  -- Ids already taken by other elements, so renamed headings cannot clash with them.
  local taken = {}
  doc.blocks:walk({
    Header = function(h) if h.identifier ~= "" then taken[h.identifier] = (taken[h.identifier] or 0) + 1 end end,
  })

  local previous = 1
  local counter = 0
  doc.blocks = doc.blocks:walk({
    Header = function(h)
      counter = counter + 1
      local level = math.min(rank[h.level], previous + 1, 6)
      h.level = level
      previous = level
      local id = h.identifier
      if id == "" or is_reserved(id) then
        local base = (id == "" and "section-" .. counter) or (id .. "-section")
        id = base
        local n = 1
        while taken[id] do n = n + 1; id = base .. "-" .. n end
        taken[id] = 1
        h.identifier = id
      end
      return h
    end,
  })
  return doc
end
