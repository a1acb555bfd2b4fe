"""The plot primitives: SVG text, colours, nice ticks and scales.

Ticks are checked as properties over the whole float range (subnormals to 1.7e308): sorted,
finite, covering the data, evenly stepped, and labelled with exactly their own value.
"""

import math
import sys
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from purenn.plot import colors
from purenn.plot.scales import LinearScale, LogScale
from purenn.plot.svg import Drawing, escape, number, text
from purenn.plot.ticks import linear_ticks, log_ticks, nice_number

FINITE = st.floats(allow_nan=False, allow_infinity=False)
POSITIVE = st.floats(min_value=5e-324, max_value=sys.float_info.max)
SVG = "{http://www.w3.org/2000/svg}"
SMALLEST_SUBNORMAL = 5e-324


def label_value(label: str) -> float:
    """A tick label read back as a number ("−2.5e6" is −2.5·10⁶)."""
    return float(label.replace("\u2212", "-"))


def xml_char(character: str) -> bool:
    """The Char production of XML 1.0."""
    code = ord(character)
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


# -- svg ------------------------------------------------------------------------------------------


@given(st.text())
def test_any_text_survives_escaping_in_content_and_attributes(value):
    expected = "".join(c if xml_char(c) else "\ufffd" for c in value)
    root = ElementTree.fromstring(text(1, 2, value, {"data-label": value}))
    assert "".join(root.itertext()) == expected
    assert root.get("data-label") == expected


@given(st.text())
def test_a_drawing_title_is_escaped(value):
    root = ElementTree.fromstring(Drawing(100, 50, value).to_text())
    expected = "".join(c if xml_char(c) else "\ufffd" for c in value)
    assert "".join(root.find(f"{SVG}title").itertext()) == expected


def test_escape_replaces_the_five_xml_specials_and_controls():
    assert escape("<a & 'b'>\x00") == "&lt;a &amp; 'b'&gt;\ufffd"


@given(st.floats(min_value=-1e6, max_value=1e6))
def test_numbers_are_short_and_within_half_a_hundredth(value):
    written = number(value)
    assert abs(float(written) - value) <= 0.005 + 1e-9
    assert written != "-0"
    assert not (("." in written) and written.endswith("0"))


# -- colours -------------------------------------------------------------------------------------


@given(st.integers(0, 200))
def test_category_colours_are_valid_and_differ_from_their_neighbours(index):
    color = colors.category(index)
    assert len(color) == 7 and int(color[1:], 16) >= 0
    assert colors.category(index + 1) != color


@given(st.floats(-10, 10), st.floats(0.001, 10))
def test_signed_colours_lean_blue_for_positive_and_red_for_negative(value, scale):
    color = colors.signed(value, scale)
    red, blue = int(color[1:3], 16), int(color[5:7], 16)
    if abs(value) / scale > 0.05:
        assert (blue > red) == (value > 0)


# -- nice numbers and ticks ----------------------------------------------------------------------


@given(st.floats(min_value=1e-300, max_value=1e300), st.booleans())
def test_nice_numbers_are_one_two_or_five_times_a_power_of_ten(value, rounding):
    nice = nice_number(value, rounding)
    mantissa = Decimal(repr(nice)).normalize().as_tuple().digits
    assert mantissa in ((1,), (2,), (5,))
    if rounding:
        assert 0.6 <= value / nice < 1.5
    else:
        assert nice >= value * (1 - 1e-15)


@given(FINITE, FINITE)
def test_linear_ticks_cover_the_data_with_even_exact_steps(a, b):
    low, high = min(a, b), max(a, b)
    axis = linear_ticks(low, high)
    positions = [tick.position for tick in axis.ticks]
    # one tick is all there is room for when the next one would be beyond the largest float
    assert 2 <= len(positions) <= 12 or (len(positions) == 1 and abs(low) > 1e308)
    assert all(math.isfinite(p) for p in positions)
    assert positions == sorted(set(positions))
    assert axis.low <= low and axis.high >= high
    assert axis.low <= positions[0] and positions[-1] <= axis.high
    steps = [q - p for p, q in zip(positions, positions[1:])] or [0.0]
    # positions are floats: even up to their rounding (relative, or absolute among subnormals)
    rounding = 2 * sys.float_info.epsilon * max(map(abs, positions)) + 4 * SMALLEST_SUBNORMAL
    assert max(steps) - min(steps) <= rounding
    for tick in axis.ticks:
        assert label_value(tick.label) == tick.position


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6))
def test_integer_ticks_step_by_whole_numbers(low, width):
    axis = linear_ticks(low, low + width, integer=True)
    assert all(tick.position == int(tick.position) for tick in axis.ticks)


def test_a_single_value_gets_an_axis_around_it():
    for value in (0.0, 3.0, -5.0, 1e-320, 1e300):
        axis = linear_ticks(value, value)
        assert axis.low < value < axis.high
    for value in (sys.float_info.max, -sys.float_info.max):
        axis = linear_ticks(value, value)
        assert axis.low <= value <= axis.high and axis.low < axis.high


@given(POSITIVE, POSITIVE)
def test_log_ticks_cover_the_data_in_decades_with_readable_labels(a, b):
    low, high = min(a, b), max(a, b)
    axis = log_ticks(low, high)
    assert axis.low <= math.log10(low) + 1e-12 and axis.high >= math.log10(high) - 1e-12
    labelled = [tick for tick in axis.ticks if tick.label]
    assert 2 <= len(labelled) <= 8
    for tick in labelled:
        if tick.superscript:
            assert tick.label == "10"
            assert label_value(tick.superscript) == tick.position
        else:
            assert math.isclose(math.log10(label_value(tick.label)), tick.position)


def test_log_ticks_label_twos_and_fives_within_two_decades():
    labels = [tick.label for tick in log_ticks(0.02, 0.9).ticks if tick.label]
    assert labels == ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]


# -- scales --------------------------------------------------------------------------------------


@given(FINITE, FINITE, st.lists(st.floats(0, 1), min_size=2, max_size=10))
def test_a_linear_scale_maps_its_data_into_the_axis_in_order(a, b, weights):
    low, high = min(a, b), max(a, b)
    scale = LinearScale(low, high)
    values = sorted(low + w * (high / 2 - low / 2) * 2 for w in weights)
    values = [min(max(v, low), high) for v in values]
    fractions = [scale.fraction(v) for v in values]
    assert all(-1e-9 <= f <= 1 + 1e-9 for f in fractions)
    assert fractions == sorted(fractions)


@given(POSITIVE, POSITIVE)
def test_a_log_scale_maps_positive_data_into_the_axis_and_clamps_the_rest(a, b):
    low, high = min(a, b), max(a, b)
    scale = LogScale(low, high)
    assert 0 <= scale.fraction(low) <= scale.fraction(high) <= 1
    for value in (0.0, -1.0, -sys.float_info.max):
        assert scale.clamps(value) and scale.fraction(value) == 0.0
    assert not scale.clamps(low)


@given(st.floats(-320, 0), st.floats(-320, 0), st.lists(st.floats(-330, 5), max_size=20))
def test_a_compressed_log_scale_keeps_order_across_its_break(tail, joint, exponents):
    low, joint = 10.0 ** min(tail, joint), 10.0 ** max(tail, joint)
    assume(low > 0)
    scale = LogScale(low, 1.0, compress_below=joint)
    points = sorted(10.0**e for e in exponents if low <= 10.0**e <= 1.0)
    fractions = [scale.fraction(p) for p in points]
    assert fractions == sorted(fractions)
    assert all(0 <= f <= 1 for f in fractions)
    assert scale.fraction(low) >= 0 and scale.fraction(1.0) <= 1
    if scale.breaks:
        assert scale.fraction(joint) >= scale.breaks[0]


def test_a_tail_inside_the_first_decade_is_not_compressed():
    scale = LogScale(1e-300, 1.0, compress_below=5e-284)
    assert scale.breaks == () and scale.fraction(1e-300) >= 0
    assert LogScale(1e-300, 1.0, compress_below=1e-15).breaks == (0.16,)


@given(FINITE, FINITE)
def test_tight_ticks_keep_the_axis_at_the_data_or_fall_back(a, b):
    low, high = min(a, b), max(a, b)
    assume(low < high)  # a single value is widened first, tight or not
    axis = linear_ticks(low, high, tight=True)
    if (axis.low, axis.high) == (low, high):
        assert len(axis.ticks) >= 2
        assert all(low <= tick.position <= high for tick in axis.ticks)
    else:
        assert axis == linear_ticks(low, high)
