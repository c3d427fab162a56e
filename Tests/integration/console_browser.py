"""Headless Chromium (Debian's chromium + chromium-driver) driven by Selenium, for the web
console tests (test_console.py). Screenshots go to Tests/integration/artifacts/console/
(or $KVSERVER_ARTIFACTS/console), which is not committed."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("KVSERVER_ARTIFACTS", REPO_ROOT / "Tests" / "integration" / "artifacts")) / "console"
TIMEOUT = 10.0


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is missing: Scripts/test.sh installs Debian's chromium and chromium-driver")


def chromedriver_binary() -> str:
    for candidate in (shutil.which("chromedriver"), "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"):
        if candidate and os.path.exists(candidate):
            return candidate
    raise RuntimeError("chromedriver is missing: Scripts/test.sh installs Debian's chromium-driver")


class Browser:
    """One headless Chromium window with waiting helpers."""

    def __init__(self, width: int = 1280, height: int = 900):
        options = webdriver.ChromeOptions()
        options.binary_location = chromium_binary()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--window-size={width},{height}", "--no-first-run", "--disable-extensions"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(chromedriver_binary()), options=options)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def quit(self) -> None:
        self.driver.quit()

    def open(self, url: str) -> None:
        self.driver.get(url)

    def go(self, hash_route: str) -> None:
        self.driver.execute_script("location.hash = arguments[0]", hash_route)

    def wait(self, condition, what: str, timeout: float = TIMEOUT):
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                result = condition()
                if result:
                    return result
            except (WebDriverException, StaleElementReferenceException) as error:
                last_error = error
            time.sleep(0.05)
        self.screenshot("timeout")
        raise AssertionError(f"timed out waiting for {what}; last error {last_error}; page text:\n"
                             f"{self.text('main')}\nconsole log:\n{self.logs()}")

    def find(self, css: str):
        return self.wait(lambda: self._visible(css), f"element {css}")

    def _visible(self, css: str):
        for element in self.driver.find_elements(By.CSS_SELECTOR, css):
            if element.is_displayed():
                return element
        return None

    def all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        try:
            return self.driver.find_element(By.CSS_SELECTOR, css).text
        except WebDriverException:
            return ""

    def wait_text(self, css: str, needle: str, timeout: float = TIMEOUT) -> str:
        return self.wait(lambda: needle in self.text(css) and self.text(css), f"{needle!r} in {css}", timeout)

    def click(self, css: str) -> None:
        self.find(css).click()

    def type(self, css: str, text: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(text)

    def set_value(self, css: str, text: str) -> None:
        """Sets a field's value at once (long JSON would be slow to type key by key)."""
        element = self.find(css)
        self.driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", element, text)

    def choose(self, css: str, value: str) -> None:
        element = self.find(css)
        self.driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))", element, value)

    def screenshot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def logs(self) -> str:
        try:
            return "\n".join(f"{entry['level']} {entry['message']}" for entry in self.driver.get_log("browser"))
        except WebDriverException:
            return "<no log>"

    def severe_logs(self) -> list[str]:
        try:
            return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]
        except WebDriverException:
            return []
