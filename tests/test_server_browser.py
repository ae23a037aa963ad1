"""The team server in a real browser: Debian's chromium driven through
Selenium and Debian's chromium-driver (nothing is downloaded), against
``tracker serve``'s application run by uvicorn on a free loopback port.
An analyst signs in, forecasts and revises from the question page, adds a
question; a reviewer resolves from the review page; the report opens; the
screenshots are not blank. Skipped, with the reason, when chromium or its
driver is missing (CI installs both)."""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or shutil.which("chromium-driver")
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    pytest.importorskip("uvicorn")
    import uvicorn

    from tracker.models import utcnow
    from tracker.services import users
    from tracker.services.log import add_forecast, add_question, resolve
    from tracker.storage import open_store
    from tracker.web import create_app

    store = open_store(f"sqlite:///{tmp_path / 'browser.db'}", pool_size=4)
    users.add_user(store, "ana", "analyst", PASSWORD)
    users.add_user(store, "rev", "reviewer", PASSWORD)
    today = utcnow().date()
    add_question(store, {"id": "summit-vienna", "text": "Trump and Putin meet in Vienna",
                         "deadline": today + timedelta(days=40)})
    add_question(store, {"id": "summit-held", "text": "The summit is held", "deadline": today - timedelta(days=2),
                         "opened_at": utcnow() - timedelta(days=20)})
    add_forecast(store, "summit-held", 0.7, analyst="ana", now=utcnow() - timedelta(days=10))
    # an earlier question, already resolved (a report of one forecast is another issue's case)
    add_question(store, {"id": "talks-earlier", "text": "Earlier talks take place", "deadline": today - timedelta(days=3),
                         "opened_at": utcnow() - timedelta(days=20)})
    add_forecast(store, "talks-earlier", 0.6, analyst="ana", now=utcnow() - timedelta(days=10))
    add_forecast(store, "talks-earlier", 0.4, analyst="bob", now=utcnow() - timedelta(days=10))
    resolve(store, "talks-earlier", "no", recorded_by="rev", known_at=utcnow() - timedelta(days=3))
    port = _free_port()
    config = uvicorn.Config(create_app(store.url, store=store), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", store, today
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
        store.dispose()


@pytest.fixture
def browser(tmp_path):
    if not CHROMIUM or not DRIVER:
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def not_blank(png: bytes) -> bool:
    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")
    return pixels.size > 0 and float(pixels[..., :3].std()) > 0.02


def click_and_load(driver, element) -> None:
    """Click (or submit) and wait until the next page has replaced this one
    and finished loading."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    element.click() if hasattr(element, "click") else element()

    def replaced(_driver) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:  # stale, or (mid-navigation) a node of a document that is gone
            return True
        return False

    WebDriverWait(driver, 30).until(replaced)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, base, name):
    from selenium.webdriver.common.by import By

    driver.get(base + "/")
    assert "/login" in driver.current_url
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_load(driver, driver.find_element(By.ID, "sign-in"))


def test_analyst_and_reviewer_in_a_browser(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    base, store, today = server
    driver = browser
    # a wrong password says so, on the page
    driver.get(base + "/login")
    driver.find_element(By.ID, "name").send_keys("ana")
    driver.find_element(By.ID, "password").send_keys("not the password")
    click_and_load(driver, driver.find_element(By.ID, "sign-in"))
    assert "wrong user name or password" in driver.find_element(By.ID, "login-error").text

    sign_in(driver, base, "ana")
    assert driver.find_element(By.TAG_NAME, "h1").text == "My week"
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Not yet forecast by you (1)" in body and "Trump and Putin meet in Vienna" in body
    assert not_blank(driver.get_screenshot_as_png())

    # forecast, then revise, from the question page (keyboard: type and press Enter)
    click_and_load(driver, driver.find_element(By.LINK_TEXT, "Trump and Putin meet in Vienna"))
    field = driver.find_element(By.ID, "probability")
    field.send_keys("35")
    driver.find_element(By.ID, "rationale").send_keys("one of several venues floated")
    click_and_load(driver, driver.find_element(By.ID, "submit-forecast"))
    assert driver.find_element(By.ID, "saved").text == "Forecast recorded."
    assert driver.find_element(By.ID, "mine").text == "35%"
    field = driver.find_element(By.ID, "probability")
    assert field.get_attribute("value") == "35"
    field.clear()
    click_and_load(driver, lambda: field.send_keys("40\n"))
    assert driver.find_element(By.ID, "mine").text == "40%"
    rows = driver.find_elements(By.CSS_SELECTOR, "#forecasts tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in rows] == ["35%", "40%"]
    image = driver.find_element(By.CSS_SELECTOR, "img.figure")
    assert driver.execute_script("return arguments[0].naturalWidth", image) > 0
    assert not_blank(driver.get_screenshot_as_png())

    # a bad number is refused on the page, nothing recorded
    field = driver.find_element(By.ID, "probability")
    driver.execute_script("arguments[0].removeAttribute('max')", field)
    field.clear()
    click_and_load(driver, lambda: field.send_keys("150\n"))
    assert "outside [0, 1]" in driver.find_element(By.ID, "form-error").text

    # add a question
    click_and_load(driver, driver.find_element(By.LINK_TEXT, "Add a question"))
    driver.find_element(By.ID, "text").send_keys("Talks resume in Geneva")
    deadline = today + timedelta(days=90)
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "deadline"),
                          deadline.isoformat())
    driver.find_element(By.ID, "tags").send_keys("talks")
    click_and_load(driver, driver.find_element(By.ID, "add-question"))
    assert driver.find_element(By.ID, "saved").text == "Question added."
    assert driver.find_element(By.ID, "question-text").text == "Talks resume in Geneva"

    # the reviewer resolves from the review page
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "header form button"))
    sign_in(driver, base, "rev")
    held = today - timedelta(days=2)
    driver.get(f"{base}/review?quarter={held.year}Q{(held.month - 1) // 3 + 1}")
    driver.find_element(By.ID, "known-summit-held").send_keys(held.isoformat())
    driver.find_element(By.ID, "evidence-summit-held").send_keys("https://example.org/helsinki")
    click_and_load(driver, driver.find_element(By.ID, "resolve-summit-held"))
    assert "now: yes" in driver.find_element(By.ID, "q-summit-held").text
    assert not_blank(driver.get_screenshot_as_png())

    click_and_load(driver, driver.find_element(By.LINK_TEXT, "Report"))
    text = driver.find_element(By.TAG_NAME, "body").text
    # (0.7 - 1)^2, (0.6 - 0)^2 and (0.4 - 0)^2: mean 0.203
    assert "Brier score 0.203" in text, text[:2000]
    assert not_blank(driver.get_screenshot_as_png())

    with store.read() as conn:
        rows = conn.exec_driver_sql("SELECT analyst, probability FROM forecast WHERE source = 'web' ORDER BY id").all()
        res = conn.exec_driver_sql("SELECT question_id, outcome, recorded_by FROM resolution WHERE source = 'web'").all()
    assert [tuple(r) for r in rows] == [("ana", 0.35), ("ana", 0.4)]
    assert [tuple(r) for r in res] == [("summit-held", "yes", "rev")]


def test_pages_are_legible_on_a_phone(server, browser):
    from selenium.webdriver.common.by import By

    base, _, _ = server
    browser.set_window_size(390, 844)
    sign_in(browser, base, "ana")
    browser.get(base + "/questions/summit-vienna")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400  # no sideways scrolling
    label = browser.find_element(By.CSS_SELECTOR, "label[for=probability]")
    assert label.is_displayed() and "percent" in label.text
    assert not_blank(browser.get_screenshot_as_png())
