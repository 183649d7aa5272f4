"""Reference pixels from Python's PIL for the "As Keras' load_img" tests.

Reads a JSON list of jobs from argv[1] and prints a JSON list of results. Jobs:
  {"op": "load_img", "src": PATH, "h": H, "w": W, "out": PATH}
      Keras' load_img(src, target_size=(h, w)) + img_to_array, written as raw float32
      (h * w * 3, row-major RGB); with "pre": PATH also preprocess_input's [-1, 1] values.
  {"op": "decode", "src": PATH, "out": PATH}   PIL open + convert('RGB'), raw uint8 bytes.
  {"op": "indices", "src": N, "dst": M}        column indices Pillow's NEAREST resize picks.
  {"op": "fixtures", "dir": PATH}              writes the test images, returns their names.
"""
import io
import json
import struct
import sys
import zlib

import numpy as np
from PIL import Image


def load_img(path, h, w):
    # keras.utils.load_img with color_mode='rgb', interpolation='nearest' (the defaults)
    img = Image.open(path)
    if img.mode != "RGB":
        img = img.convert("RGB")
    if img.size != (w, h):
        img = img.resize((w, h), Image.NEAREST)
    return np.asarray(img, dtype=np.float32)  # img_to_array


def preprocess_input(x):
    # keras.applications.inception_v3.preprocess_input (mode 'tf'), on a float32 copy
    x = x.copy()
    x /= 127.5
    x -= 1.0
    return x


def raw_png(path, w, h, colour_type, depth, rows, plte=None, trns=None):
    """A PNG written byte by byte, for colour types and depths PIL cannot save."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    body = b"".join(b"\x00" + row for row in rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour_type, 0, 0, 0))
    if plte is not None:
        out += chunk(b"PLTE", plte)
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(body)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def fixtures(folder):
    rng = np.random.default_rng(20)
    names = []

    def noise(h, w, c):
        return rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)

    def save(name, img, **kw):
        img.save(f"{folder}/{name}", **kw)
        names.append(name)

    # JPEGs: odd sizes (down- and upscaled), greyscale, an EXIF rotation load_img ignores
    yy, xx = np.mgrid[0:333, 0:501]
    smooth = np.stack([(xx * 255 // 500), (yy * 255 // 332), ((xx + yy) % 256)], -1).astype(np.uint8)
    save("odd-501x333.jpg", Image.fromarray(smooth), quality=92)
    save("small-97x61.jpg", Image.fromarray(noise(61, 97, 3)), quality=90)
    save("grey-301x217.jpg", Image.fromarray(noise(217, 301, 1)[:, :, 0], "L"), quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": Keras does not
    save("exif-rotated-250x180.jpg", Image.fromarray(smooth[:180, :250]), quality=90, exif=exif.tobytes())
    # PNGs through PIL: RGB, RGBA with colour under transparent pixels, LA, L, P, P+tRNS, 1-bit
    save("rgb-333x227.png", Image.fromarray(noise(227, 333, 3)))
    rgba = noise(229, 231, 4)
    rgba[::3, :, 3] = 0  # fully transparent rows that still carry colour
    save("rgba-231x229.png", Image.fromarray(rgba, "RGBA"))
    save("la-123x77.png", Image.fromarray(noise(77, 123, 2), "LA"))
    save("grey-225x223.png", Image.fromarray(noise(223, 225, 1)[:, :, 0], "L"))
    pal = Image.fromarray(noise(150, 211, 1)[:, :, 0], "L").convert("P")
    pal.putpalette(list(noise(1, 256, 3).ravel()))
    save("palette-211x150.png", pal)
    save("palette-trns-211x150.png", pal, transparency=bytes(range(0, 256)))
    save("bilevel-99x101.png", Image.fromarray(noise(101, 99, 1)[:, :, 0] > 127).convert("1"))
    # PNGs written by hand: 2- and 4-bit, 16-bit grey/RGB/RGBA/LA
    w, h = 45, 31
    def packed(values, depth):
        per = 8 // depth
        rows = []
        for row in values:
            padded = list(row) + [0] * ((-len(row)) % per)
            rows.append(bytes(
                sum(v << (8 - depth * (k + 1)) for k, v in enumerate(padded[i:i + per]))
                for i in range(0, len(padded), per)))
        return rows
    for depth in (2, 4):
        values = rng.integers(0, 1 << depth, size=(h, w))
        raw_png(f"{folder}/grey{depth}-{w}x{h}.png", w, h, 0, depth, packed(values, depth))
        plte = bytes(noise(1, 1 << depth, 3).ravel())
        raw_png(f"{folder}/palette{depth}-{w}x{h}.png", w, h, 3, depth, packed(values, depth), plte=plte)
        names += [f"grey{depth}-{w}x{h}.png", f"palette{depth}-{w}x{h}.png"]
    for colour_type, channels, name in ((0, 1, "grey16"), (2, 3, "rgb16"), (4, 2, "la16"), (6, 4, "rgba16")):
        values = rng.integers(0, 65536, size=(h, w * channels))
        if colour_type == 0:
            values[::2] = rng.integers(0, 300, size=(h, w))[::2]  # some below 256: not all clipped
        rows = [b"".join(struct.pack(">H", int(v)) for v in row) for row in values]
        raw_png(f"{folder}/{name}-{w}x{h}.png", w, h, colour_type, 16, rows)
        names.append(f"{name}-{w}x{h}.png")
    return names


def run(job):
    op = job["op"]
    if op == "load_img":
        x = load_img(job["src"], job["h"], job["w"])
        x.tofile(job["out"])
        if "pre" in job:
            preprocess_input(x).tofile(job["pre"])
        return {"shape": list(x.shape)}
    if op == "decode":
        img = Image.open(job["src"])
        mode = img.mode
        if img.mode != "RGB":
            img = img.convert("RGB")
        np.asarray(img, dtype=np.uint8).tofile(job["out"])
        return {"width": img.size[0], "height": img.size[1], "mode": mode}
    if op == "indices":
        src, dst = job["src"], job["dst"]
        row = Image.fromarray(np.arange(src, dtype=np.int32)[None, :], "I")
        return {"indices": np.asarray(row.resize((dst, 1), Image.NEAREST))[0].tolist()}
    if op == "fixtures":
        return {"names": fixtures(job["dir"])}
    raise ValueError(f"unknown op {op}")


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    print(json.dumps([run(job) for job in jobs]))
