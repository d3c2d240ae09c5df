"""The patient app's first load and Lighthouse's view of the Today screen.

1. The gzipped size of every script and stylesheet the first load of /today fetches: the entry
   module, its static imports (<link rel=modulepreload>) and its CSS, read from frontend/dist/index.html.
   Everything else (the log forms, medications, trends with uPlot, …) is fetched when first opened.
2. Lighthouse (mobile, the `lighthouse` devDependency) performance and accessibility scores of
   /today for a signed-in demo user, against gunicorn on a throw-away SQLite database with the
   demo data. Chromium is Debian's /usr/bin/chromium, started here with a debugging port; the
   demo user signs in through Playwright in that browser, and Lighthouse keeps its storage
   (--disable-storage-reset) so it audits Today, not the sign-in screen.

Run: python -m bench.bench_frontend
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import table

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
CHROMIUM = Path("/usr/bin/chromium")
LIGHTHOUSE = FRONTEND / "node_modules" / ".bin" / "lighthouse"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_EMAIL = "alex@demo.mastline.test"


def build_if_needed() -> None:
    if not (DIST / "index.html").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is not on PATH: cannot build frontend/dist")
        subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)


def first_load_files() -> list[Path]:
    html = (DIST / "index.html").read_text(encoding="utf-8")
    urls = re.findall(r'<script[^>]+src="(/[^"]+)"', html)
    urls += re.findall(r'<link[^>]+rel="(?:modulepreload|stylesheet)"[^>]+href="(/[^"]+)"', html)
    urls += re.findall(r'<link[^>]+href="(/[^"]+)"[^>]+rel="(?:modulepreload|stylesheet)"', html)
    return [DIST / url.lstrip("/") for url in dict.fromkeys(urls)]


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start_server(var_dir: str) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "MASTLINE_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    port = free_port()
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(python), "gunicorn"),
            "server.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
    )
    wait_for(port, "/api/v1/auth/csrf")
    return server, port


def sign_in_in_browser(debug_port: int, origin: str) -> None:
    from playwright.sync_api import sync_playwright

    from apps.ops.demo import DEMO_PASSWORD

    with sync_playwright() as driver:
        browser = driver.chromium.connect_over_cdp(f"http://127.0.0.1:{debug_port}")
        context = browser.contexts[0]
        page = context.new_page()
        page.goto(f"{origin}/")
        page.get_by_label("Email").fill(DEMO_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_role("heading", name="Today").wait_for()
        page.evaluate("navigator.serviceWorker.ready")
        page.close()
        browser.close()  # disconnects; the browser process stays for Lighthouse


def lighthouse_scores() -> tuple[dict[str, float] | None, str]:
    if not CHROMIUM.exists():
        return None, f"{CHROMIUM} is not installed"
    if not LIGHTHOUSE.exists():
        return None, "the lighthouse devDependency is not installed (cd frontend && npm ci)"
    if shutil.which("node") is None:
        return None, "node is not on PATH"
    with tempfile.TemporaryDirectory(prefix="mastline-bench-fe-") as var_dir:
        server, port = start_server(var_dir)
        origin = f"http://127.0.0.1:{port}"
        debug_port = free_port()
        chromium = subprocess.Popen(
            [
                str(CHROMIUM),
                *CHROMIUM_FLAGS,
                f"--remote-debugging-port={debug_port}",
                f"--user-data-dir={var_dir}/chromium",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(debug_port, "/json/version")
            sign_in_in_browser(debug_port, origin)
            report = Path(var_dir) / "lighthouse.json"
            run = subprocess.run(
                [
                    str(LIGHTHOUSE),
                    f"{origin}/today",
                    f"--port={debug_port}",
                    "--disable-storage-reset",
                    "--form-factor=mobile",
                    "--only-categories=performance,accessibility",
                    "--output=json",
                    f"--output-path={report}",
                    "--quiet",
                ],
                cwd=FRONTEND,
                env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
                capture_output=True,
                text=True,
                timeout=300,
            )
            if run.returncode != 0 or not report.exists():
                return (
                    None,
                    f"lighthouse exited {run.returncode}: {(run.stderr or run.stdout).strip()[-500:]}",
                )
            result = json.loads(report.read_text())
            if result.get("runtimeError"):
                return None, f"lighthouse: {result['runtimeError'].get('message')}"
            categories = result["categories"]
            audits = result["audits"]
            return {
                "performance": categories["performance"]["score"] * 100,
                "accessibility": categories["accessibility"]["score"] * 100,
                "fcp_ms": audits["first-contentful-paint"]["numericValue"],
                "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
                "tbt_ms": audits["total-blocking-time"]["numericValue"],
                "final_url": result.get("finalDisplayedUrl") or result.get("finalUrl"),
            }, ""
        finally:
            chromium.terminate()
            chromium.wait(timeout=20)
            server.terminate()
            server.wait(timeout=20)


def main() -> None:
    build_if_needed()
    files = first_load_files()
    rows = [("first load of /today", "bytes", "gzipped")]
    totals = {"js": [0, 0], "css": [0, 0]}
    for path in files:
        kind = "css" if path.suffix == ".css" else "js"
        size, packed = path.stat().st_size, gz(path)
        totals[kind][0] += size
        totals[kind][1] += packed
        rows.append((path.name, str(size), str(packed)))
    rows.append(("JavaScript, total", str(totals["js"][0]), str(totals["js"][1])))
    rows.append(("CSS, total", str(totals["css"][0]), str(totals["css"][1])))
    lazy = sorted(p for p in (DIST / "assets").glob("*.js") if p not in files)
    rows.append(
        (
            "loaded later (lazy chunks, JS)",
            str(sum(p.stat().st_size for p in lazy)),
            str(sum(gz(p) for p in lazy)),
        )
    )
    print("The PWA's first load (index.html + its static imports), from frontend/dist")
    table(rows)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    scores, why = lighthouse_scores()
    print()
    if scores is None:
        print(f"Lighthouse: not run — {why}")
        return
    print(
        f"Lighthouse (mobile) of /today, signed in as {DEMO_EMAIL}; audited URL {scores['final_url']}"
    )
    table(
        [
            ("performance", "accessibility", "FCP ms", "LCP ms", "TBT ms"),
            (
                f"{scores['performance']:.0f}",
                f"{scores['accessibility']:.0f}",
                f"{scores['fcp_ms']:.0f}",
                f"{scores['lcp_ms']:.0f}",
                f"{scores['tbt_ms']:.0f}",
            ),
        ]
    )


if __name__ == "__main__":
    main()
