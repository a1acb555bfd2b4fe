"""Every kind of picture rendered by a real browser: headless Chromium turns the SVG into a PNG.

The PNG is decoded here with zlib and struct (the standard library has no PNG reader) and must
not be blank: enough ink, enough distinct colours, and the colours the picture is made of (the
series, the edge signs, the class regions, the black of a digit) must actually show up on screen.
A picture that parses but that a browser refuses to draw fails here.

Set PURENN_PLOT_PNGS to a directory to keep the PNGs and look at them.
"""

import collections
import os
import pathlib
import shutil
import struct
import subprocess
import tempfile
import zlib

import pytest
from oracles import require_program

import purenn as pn
from purenn.cli import seed_network
from purenn.gradient_checking import step_sweep
from purenn.layers import Dense, Layer
from purenn.network import Network
from purenn.plot import (
    architecture,
    colors,
    confusion_matrix,
    decision_boundary,
    image_grid,
    loss_curve,
    sweep,
)


def chromium():
    """The one place that decides whether a browser is available: Debian's chromium package
    (apt-get install -y chromium), or the test is skipped (failed where PURENN_REQUIRE lists
    chromium, as CI does)."""
    return require_program("chromium")

# As root, on a closed network: without the background-networking flags chromium waits forever.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
]
# Chromium's headless screenshots come out blank for very small windows.
MIN_WINDOW = (500, 400)
RENDER_TIMEOUT_SECONDS = 120


# -- PNG decoding --------------------------------------------------------------------------------


def paeth(left, up, up_left):
    estimate = left + up - up_left
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - up_left))
    return (left, up, up_left)[distances.index(min(distances))]


def unfilter(kind, line, previous, stride):
    """One scanline reconstructed from its filtered bytes (PNG specification, section 9)."""
    if kind == 0:
        return bytearray(line)
    if kind == 2:
        return bytearray((value + up) & 0xFF for value, up in zip(line, previous))
    out = bytearray(line)
    if kind == 4:
        return unfilter_paeth(out, previous, stride)
    for i in range(len(out)):
        left = out[i - stride] if i >= stride else 0
        predictor = left if kind == 1 else (left + previous[i]) // 2
        out[i] = (out[i] + predictor) & 0xFF
    return out


def unfilter_paeth(out, previous, stride):
    """The Paeth filter undone in place; written out inline, as it dominates decoding time."""
    for i in range(stride):
        out[i] = (out[i] + previous[i]) & 0xFF
    for i in range(stride, len(out)):
        left, up, up_left = out[i - stride], previous[i], previous[i - stride]
        estimate = left + up - up_left
        to_left, to_up = abs(estimate - left), abs(estimate - up)
        to_up_left = abs(estimate - up_left)
        if to_left <= to_up and to_left <= to_up_left:
            out[i] = (out[i] + left) & 0xFF
        elif to_up <= to_up_left:
            out[i] = (out[i] + up) & 0xFF
        else:
            out[i] = (out[i] + up_left) & 0xFF
    return out


def decode_png(data):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        chunks.setdefault(kind, []).append(data[position + 8:position + 8 + length])
        position += 12 + length
    header = chunks[b"IHDR"][0]
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color_type in (2, 6) and interlace == 0, "unsupported PNG layout"
    stride = 3 if color_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    rows, previous = [], bytearray(width * stride)
    for y in range(height):
        start = y * (width * stride + 1)
        line = unfilter(raw[start], raw[start + 1:start + 1 + width * stride], previous, stride)
        rows.append(list(zip(line[0::stride], line[1::stride], line[2::stride])))
        previous = line
    return width, height, rows


def encode_png(rows, filters):
    """An RGB PNG of ``rows``, scanline y filtered with filters[y] (for testing the decoder)."""
    width, stride = len(rows[0]), 3
    previous, body = bytearray(width * stride), bytearray()
    for row, kind in zip(rows, filters):
        line = bytearray(value for pixel in row for value in pixel)
        filtered = bytearray(len(line))
        for i, value in enumerate(line):
            left = line[i - stride] if i >= stride else 0
            up, up_left = previous[i], previous[i - stride] if i >= stride else 0
            predictor = (0, left, up, (left + up) // 2, paeth(left, up, up_left))[kind]
            filtered[i] = (value - predictor) & 0xFF
        body += bytes([kind]) + filtered
        previous = line

    def chunk(kind, payload):
        checksum = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(body))
            + chunk(b"IEND", b""))


def test_the_png_decoder_undoes_every_filter():
    rows = [[((x * 37 + y * 11) % 256, (x * y) % 256, (255 - x * 9) % 256) for x in range(7)]
            for y in range(5)]
    width, height, decoded = decode_png(encode_png(rows, [0, 1, 2, 3, 4]))
    assert (width, height) == (7, 5) and decoded == rows


# -- rendering -----------------------------------------------------------------------------------


def svg_size(svg):
    root_attributes = svg.split(">", 1)[0]
    width = float(root_attributes.split(' width="')[1].split('"')[0])
    height = float(root_attributes.split(' height="')[1].split('"')[0])
    return int(width + 0.999), int(height + 0.999)


def screenshot(source, target, width, height):
    """Chromium's screenshot of the file ``source``, in a window of width × height."""
    window = f"{max(width, MIN_WINDOW[0])},{max(height, MIN_WINDOW[1])}"
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--window-size={window}", f"--screenshot={target}", source.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT_SECONDS,
                           check=True)
        except subprocess.TimeoutExpired:
            pytest.fail(f"chromium did not render {source.name} in {RENDER_TIMEOUT_SECONDS} s")
    keep = os.environ.get("PURENN_PLOT_PNGS")
    if keep:
        pathlib.Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, pathlib.Path(keep) / target.name)
    png_width, png_height, rows = decode_png(target.read_bytes())
    assert png_width >= width and png_height >= height
    return rows


def render_page(svgs, directory):
    """{name: rows of pixels}: every SVG drawn by Chromium as an <img> (as a README shows it),
    stacked on one page so that one browser start renders them all, then cut apart."""
    offsets, top, widest, images = {}, 0, 0, []
    for name, svg in svgs.items():
        (directory / f"{name}.svg").write_text(svg, encoding="utf-8")
        width, height = svg_size(svg)
        offsets[name] = (top, width, height)
        images.append(f'<img src="{name}.svg" style="position:absolute;left:0;top:{top}px;'
                      f'width:{width}px;height:{height}px">')
        top, widest = top + height, max(widest, width)
    page = directory / "pictures.html"
    page.write_text("<!DOCTYPE html><html><body style=\"margin:0\">" + "".join(images)
                    + "</body></html>", encoding="utf-8")
    rows = screenshot(page, directory / "pictures.png", widest, top)
    return {name: [row[:width] for row in rows[top:top + height]]
            for name, (top, width, height) in offsets.items()}


def rgb(color):
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def shows(counts, color, tolerance=6):
    """How many pixels are within ``tolerance`` of ``color`` in every channel."""
    target = rgb(color)
    return sum(
        count for pixel, count in counts.items()
        if all(abs(a - b) <= tolerance for a, b in zip(pixel, target))
    )


# -- the pictures --------------------------------------------------------------------------------


class Pooling(Layer):
    """A layer of the user's own, which the diagram knows nothing about: drawn as a box."""

    def __init__(self, n_in, n_out):
        self.n_in, self.n_out = n_in, n_out

    def __repr__(self):
        return f"Pooling(n_in={self.n_in}, n_out={self.n_out}, size=2)"


def digit_images():
    """Ten 8×8 seven-segment digits, ink 16 on paper 0, as image rows."""
    segments = {"a": [(1, j) for j in range(2, 6)], "b": [(i, 6) for i in range(1, 4)],
                "c": [(i, 6) for i in range(4, 7)], "d": [(6, j) for j in range(2, 6)],
                "e": [(i, 1) for i in range(4, 7)], "f": [(i, 1) for i in range(1, 4)],
                "g": [(3, j) for j in range(2, 6)]}
    lit = ["abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"]
    images = []
    for digit in lit:
        pixels = [[0.0] * 8 for _ in range(8)]
        for segment in digit:
            for i, j in segments[segment]:
                pixels[i][j] = 16.0
        images.append([value for row in pixels for value in row])
    return images


def pictures():
    """Each kind of picture, and the colours that must appear when it is drawn."""
    x, y = pn.datasets.seed_data()
    seed = seed_network(1)
    history = seed.fit(x, y, epochs=300, learning_rate=1.0)
    points, labels = pn.datasets.two_moons(80, seed=0)
    classifier = Network([Dense(2, 8, "tanh"), Dense(8, 2)], loss="cross_entropy", seed=0)
    fitted = classifier.fit(points, labels, epochs=30, optimizer=pn.Adam(lr=0.05),
                            validation_split=0.25, metrics=["accuracy"])
    wide = Network([Dense(6, 40, "relu"), Pooling(40, 20), Dense(20, 3)], seed=0)
    return {
        "loss_curve": (loss_curve(history, log_scale=True), [colors.category(0)]),
        "loss_curve_metrics": (loss_curve(fitted, metrics=["accuracy"]),
                               [colors.category(0), colors.category(1)]),
        "architecture": (architecture(seed), [colors.POSITIVE, colors.NEGATIVE]),
        "architecture_wide": (architecture(wide), [colors.POSITIVE, colors.NEGATIVE]),
        "decision_boundary": (decision_boundary(classifier, points, labels, resolution=40),
                              [colors.lighten(colors.category(k), 0.7) for k in (0, 1)]
                              + [colors.category(0), colors.category(1)]),
        "sweep": (sweep(step_sweep(seed_network(1), x, y)),
                  [colors.category(k) for k in range(4)]),
        "image_grid": (image_grid(digit_images(), (8, 8), labels=list(range(10)), columns=5),
                       ["#000000"]),
        "confusion_matrix": (confusion_matrix([[20, 2, 0], [5, 18, 2], [2, 1, 25]],
                                              ["ash", "birch", "cedar"]),
                             [colors.lighten(colors.POSITIVE, 1.0 - 25 / 28)]),
        "image_grid_filters": (image_grid([[1.0, -1.0, 0.5, -0.5, 0.0, 0.25, -0.25, 0.75, -0.75]
                                           * 2] * 3, (2, 3, 3)),
                               [colors.POSITIVE, colors.NEGATIVE]),
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    chromium()  # skip (or fail) before drawing anything
    directory = tmp_path_factory.mktemp("rendered")
    drawn = pictures()
    pixels = render_page({name: svg for name, (svg, _) in drawn.items()}, directory)
    return {name: (pixels[name], expected) for name, (_, expected) in drawn.items()}


@pytest.mark.parametrize("name", [
    "loss_curve", "loss_curve_metrics", "architecture", "architecture_wide",
    "decision_boundary", "sweep", "image_grid", "image_grid_filters", "confusion_matrix",
])
def test_a_browser_draws_the_picture_with_its_colours(rendered, name):
    pixels, expected_colors = rendered[name]
    counts = collections.Counter(pixel for row in pixels for pixel in row)
    area = sum(counts.values())
    ink = area - counts[(255, 255, 255)]
    assert ink > 0.01 * area, f"{name}: only {ink} of {area} pixels are not white"
    assert len(counts) >= 10, f"{name}: only {len(counts)} colours on screen"
    for color in expected_colors:
        assert shows(counts, color) >= 20, f"{name}: {color} does not show on screen"


def test_a_browser_opens_a_picture_file_on_its_own(tmp_path):
    svg = loss_curve(pn.Network([Dense(1, 1)], seed=0).fit([[0.0], [1.0]], [[1.0], [0.0]], 5))
    source = tmp_path / "alone.svg"
    source.write_text(svg, encoding="utf-8")
    width, height = svg_size(svg)
    pixels = [row[:width] for row in screenshot(source, tmp_path / "alone.png", width, height)]
    counts = collections.Counter(pixel for row in pixels[:height] for pixel in row)
    assert shows(counts, colors.category(0)) >= 20
