#!/usr/bin/env python3
"""Writes the request bodies bench/serve-load sends: Fashion-MNIST test images as {"instances": [{"features": ...}]},
pixels divided by 255 as Distillery reads IDX, one body per image, and a wrk Lua script that cycles through them.

Usage: serve_request.py T10K_IMAGES_IDX_GZ OUT_DIR COUNT
"""
import gzip, json, os, struct, sys

src, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with gzip.open(src) as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
    assert magic == 2051, "not an IDX image file"
    bodies = []
    for i in range(min(count, n)):
        px = f.read(rows * cols)
        bodies.append(json.dumps({"instances": [{"features": [round(b / 255, 6) for b in px]}]}, separators=(",", ":")))
os.makedirs(out, exist_ok=True)
lua = """-- cycles through Fashion-MNIST test images, one per request
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {}
for line in io.lines("%s") do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
""" % os.path.join(out, "bodies.txt")
with open(os.path.join(out, "bodies.txt"), "w") as f:
    f.write("\n".join(bodies) + "\n")
with open(os.path.join(out, "post.lua"), "w") as f:
    f.write(lua)
print(len(bodies))
