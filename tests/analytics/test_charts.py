"""The hand-written SVG charts: well-formed XML, and values land on the coordinates they should."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from analytics.charts import Bar, Mark, bar_chart, interval_chart, line_chart, scale, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def find(root: ET.Element, path: str) -> ET.Element:
    found = root.find(path)
    assert found is not None, f"the chart draws no {path}"
    return found


def attribute(element: ET.Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, f"{element.tag} has no {name}"
    return value


def number(element: ET.Element, name: str) -> float:
    """A coordinate or value attribute as the number it says."""
    return float(attribute(element, name))


def test_scale_maps_the_domain_onto_the_span_and_a_flat_domain_onto_its_start() -> None:
    assert scale(5, (0, 10), (100, 200)) == 150
    assert scale(0, (0, 10), (300, 100)) == 300  # an inverted span (SVG y grows downwards)
    assert scale(10, (0, 10), (300, 100)) == 100
    assert scale(3, (3, 3), (40, 90)) == 40


def test_bar_lengths_are_proportional_on_one_shared_scale() -> None:
    bars = [Bar("百度 / cpc", (400.0, 100.0), note="2.0 线索/百次访问"), Bar("微信", (200.0, 0.0))]
    root = parse(bar_chart(bars, ("访问", "目标账户访问"), width=720))
    rects = root.findall(f"{SVG}rect[@class='bar']")
    widths = {number(r, "data-value"): number(r, "width") for r in rects}
    plot_width = 720 - 140 - 210
    assert widths[400.0] == pytest.approx(plot_width)
    assert widths[200.0] == pytest.approx(plot_width / 2)
    assert widths[100.0] == pytest.approx(plot_width / 4)
    assert widths[0.0] == 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"百度 / cpc", "微信", "访问", "目标账户访问", "2.0 线索/百次访问"} <= set(texts)


def test_bar_chart_with_all_zero_values_draws_empty_bars_instead_of_dividing_by_zero() -> None:
    root = parse(bar_chart([Bar("直接访问", (0.0, 0.0))], ("访问", "目标账户访问")))
    assert all(number(r, "width") == 0 for r in root.findall(f"{SVG}rect[@class='bar']"))


def test_line_chart_points_marks_and_highlight_sit_where_their_values_say() -> None:
    points = [(0.0, 10.0), (5.0, 20.0), (10.0, 5.0)]
    root = parse(
        line_chart(points, marks=[Mark(5.0, "产品演示")], highlight=(5.0, 10.0), width=500, height=200)
    )
    left, right, bottom = 44, 16, 28
    top = 16 + 16  # one mark row
    coords = [tuple(map(float, p.split(","))) for p in attribute(find(root, f"{SVG}polyline"), "points").split()]
    assert [x for x, _ in coords] == pytest.approx([left, (left + 500 - right) / 2, 500 - right])
    assert coords[1][1] == pytest.approx(top)  # the maximum touches the top
    assert coords[0][1] == pytest.approx(200 - bottom - (200 - bottom - top) / 2)
    mark = find(root, f"{SVG}line[@class='mark']")
    assert number(mark, "x1") == pytest.approx(coords[1][0])
    band = find(root, f"{SVG}rect[@class='highlight']")
    assert number(band, "x") == pytest.approx(coords[1][0])
    assert number(band, "width") == pytest.approx(coords[2][0] - coords[1][0])
    assert "产品演示" in [t.text for t in root.iter(f"{SVG}text")]


def test_line_chart_without_points_is_still_a_valid_svg() -> None:
    root = parse(line_chart([], marks=[Mark(0, "开场")]))
    assert root.find(f"{SVG}polyline") is None


def test_hostile_labels_are_escaped_and_the_svg_stays_well_formed() -> None:
    hostile = '<script>alert("x")</script> & </svg>'
    for svg in (
        bar_chart([Bar(hostile, (1.0,), note=hostile)], (hostile,)),
        line_chart([(0, 1), (5, 2)], marks=[Mark(0, hostile)], label=hostile),
    ):
        root = parse(svg)
        assert "<script" not in svg
        assert hostile in [element.text for element in root.iter()]  # as text (or a hover title)


def test_sparkline_scales_to_its_box_and_is_empty_without_values() -> None:
    assert sparkline([]) == ""
    root = parse(sparkline([0, 5, 10], width=84, height=22))
    coords = [tuple(map(float, p.split(","))) for p in attribute(find(root, f"{SVG}polyline"), "points").split()]
    assert coords == [(2, 20), (42, 11), (82, 2)]


def test_interval_chart_puts_zero_in_the_middle_and_the_estimate_inside_its_interval() -> None:
    root = parse(interval_chart(0.25, -0.1, 0.6, width=480))
    zero = number(find(root, f"{SVG}line[@class='zero']"), "x1")
    assert zero == pytest.approx(240)
    ci = find(root, f"{SVG}line[@class='ci']")
    low, high = number(ci, "x1"), number(ci, "x2")
    estimate = number(find(root, f"{SVG}circle[@class='estimate']"), "cx")
    assert low < zero < estimate < high
    assert (estimate - zero) / (high - zero) == pytest.approx(0.25 / 0.6, abs=1e-3)
    assert {"+25.0%", "-10.0%", "+60.0%"} <= {t.text for t in root.iter(f"{SVG}text")}
