"""The leaders' report as a reader sees it: opened in headless Chromium (Debian's chromium and chromium-driver,
installed by .ci/run), offline, its four charts drawn with their bars, no console error, the screenshot not
blank, and the grades' colours on it.

Without Chromium the test is skipped, unless RW_REQUIRE_BROWSER is set (CI sets it): then it fails."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from risk_warning import AlertStore
from risk_warning.reports.charts import GRADE_COLOUR
from risk_warning.reports.html import render_html
from risk_warning.reports.leaders import leaders_report
from tests.reports.test_leaders import END, START
from tests.reports.test_metrics import hr_facts, play

DRIVER = shutil.which("chromedriver")
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser() -> Iterator[object]:
    if DRIVER is None or BROWSER is None:
        if os.environ.get("RW_REQUIRE_BROWSER"):
            pytest.fail("RW_REQUIRE_BROWSER is set but chromium or chromedriver is not installed")
        pytest.skip("chromium and chromedriver are not installed (apt install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    try:
        yield driver
    finally:
        driver.quit()


def test_the_report_renders_its_charts_without_console_errors(browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    store = AlertStore(f"sqlite:///{tmp_path / 'loop.db'}")
    play(store)
    page = tmp_path / "report.html"
    page.write_text(render_html(leaders_report(store, START, END, facts=hr_facts())), encoding="utf-8")
    store.close()

    browser.get(page.as_uri())
    assert browser.title.startswith("廉政风险预警工作报告")
    charts = browser.execute_script(
        """return [...document.querySelectorAll('.chart')].map(c => {
             const svg = c.querySelector('svg'); const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
             return {id: c.id, width: box.width, height: box.height,
                     shapes: svg ? svg.querySelectorAll('path').length : 0,
                     texts: svg ? [...svg.querySelectorAll('text')].map(t => t.textContent).join(' ') : ''};
           })"""
    )
    assert [c["id"] for c in charts] == ["chart-grade", "chart-trend", "chart-family", "chart-unit"]
    for chart in charts:
        assert chart["width"] > 200 and chart["height"] > 100 and chart["shapes"] >= 5, chart  # bars, axes
    assert "严重" in charts[0]["texts"] and "本期预警按等级" in charts[0]["texts"]
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []

    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    colours = shot.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # not blank: text, lines, bars
    present = {rgb for _, rgb in colours}
    for grade, hex_colour in GRADE_COLOUR.items():
        if grade.label in ("严重", "警示", "关注"):  # the scenario has no blue alert
            rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
            assert rgb in present, f"no {grade.label} bar in the screenshot"
    shot.save(tmp_path / "report.png")
