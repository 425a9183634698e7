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

-- Elements CommonMark has no syntax for, written by cleanup (shortcodes.py) as classed divs.
local function first_inlines(block)
  if block.t == "Para" or block.t == "Plain" then return block.content end
  return pandoc.Inlines(pandoc.utils.stringify(block))
end

local elements = {
  -- an image, then its caption: a figure
  ["publish-figure"] = function(div)
    local image = div.content[1]
    if not image or (image.t ~= "Para" and image.t ~= "Plain") then return nil end
    local caption = pandoc.Blocks({})
    for i = 2, #div.content do caption:insert(div.content[i]) end
    if #caption == 1 and caption[1].t == "Para" then caption[1] = pandoc.Plain(caption[1].content) end
    return pandoc.Figure({ pandoc.Plain(image.content) }, { long = caption })
  end,
  -- a summary, then the content: a disclosure
  ["publish-details"] = function(div)
    if #div.content == 0 then return nil end
    local summary = pandoc.Inlines({ pandoc.RawInline("html", "<summary>") })
    summary:extend(first_inlines(div.content[1]))
    summary:insert(pandoc.RawInline("html", "</summary>"))
    local blocks = pandoc.Blocks({ pandoc.RawBlock("html", "<details>"), pandoc.Plain(summary) })
    for i = 2, #div.content do blocks:insert(div.content[i]) end
    blocks:insert(pandoc.RawBlock("html", "</details>"))
    return blocks
  end,
  ["publish-quote"] = function(div) return pandoc.BlockQuote(div.content) end,
}

local function element(div)
  for _, class in ipairs(div.classes) do
    if elements[class] then return elements[class](div) end
  end
end

function Pandoc(doc)
  doc.blocks = doc.blocks:walk({ Div = element })
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
