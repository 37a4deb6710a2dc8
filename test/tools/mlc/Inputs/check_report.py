"""Checks that a JSON report and an SVG plot parse and carry the model name
and data path as given.

usage: check_report.py REPORT.json PLOT.svg MODEL DATA
"""
import json
import sys
import xml.dom.minidom


def main():
    report, plot, model, data = sys.argv[1:5]
    with open(report, encoding="utf-8") as f:
        r = json.load(f)
    assert r["model"] == model, r["model"]
    assert r["data"].endswith(data), r["data"]
    svg = xml.dom.minidom.parse(plot)
    title = svg.getElementsByTagName("text")[0].firstChild.data
    assert title.startswith(model + " on "), title
    assert not svg.getElementsByTagName("script"), "markup got through"
    print("report and plot intact")


main()
