"""PDF through a program installed on the server (never downloaded), which is optional: DOCX → PDF
through headless LibreOffice (without it callers offer the DOCX instead), and self-contained HTML → PDF
through headless Chromium, Debian's `chromium` (the printable reports; without it the browser's own
打印 → 另存为 PDF works on the same print-styled page). Both run the same way: one process group per call,
a private profile, a timeout that kills the group, the tail of the program's output in the error.

LibreOffice start-up dominates the cost (≈1 s per soffice call, ≈0.1 s per extra file in the same call), so
batches go through one call. Every call gets a fresh user profile (`-env:UserInstallation`): one
profile is one LibreOffice instance, and concurrent conversions sharing one would collide.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

CHUNK_SIZE = 200  # files per soffice call: keeps the command line and the timeout bounded
BASE_TIMEOUT = 60  # seconds per call (an HTML page is one call), plus PER_FILE_TIMEOUT for each DOCX in it
PER_FILE_TIMEOUT = 2
STDERR_TAIL = 2000  # characters of the program's output quoted in PdfFailed
CHROMIUM_MISSING = ("服务器未安装 Chromium，无法生成 PDF：请用浏览器的“打印 → 另存为 PDF”（页面已按 A4 排版），"
                    "或由管理员安装 Debian 软件包 chromium 与 fonts-noto-cjk")


class PdfUnavailable(Exception):
    """LibreOffice (or, for HTML, Chromium) is not installed or not where the settings say: PDF cannot be
    produced here. The default message is LibreOffice's; html_to_pdf gives CHROMIUM_MISSING."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "未安装 LibreOffice，无法生成 PDF（可下载 DOCX；安装 Debian 软件包 "
            "libreoffice-writer-nogui 与 fonts-noto-cjk 后即可）"
        )


class PdfFailed(Exception):
    """The program ran but did not produce every PDF (bad input, crash, timeout)."""


def _executable(configured: str | None, *names: str) -> str | None:
    if configured:
        # An explicit setting that points nowhere means "unavailable", not "guess another one".
        return shutil.which(str(configured))
    return next((found for found in map(shutil.which, names) if found), None)


def soffice_path() -> str | None:
    """The soffice executable: settings.ZHIXING_SOFFICE (or SOFFICE_PATH) if set, else found on PATH."""
    configured = getattr(settings, "ZHIXING_SOFFICE", None) or getattr(settings, "SOFFICE_PATH", None)
    return _executable(configured, "soffice", "libreoffice")


def chromium_path() -> str | None:
    """The Chromium executable: settings.ZHIXING_CHROMIUM (or the environment variable) if set, else found on PATH."""
    configured = getattr(settings, "ZHIXING_CHROMIUM", None) or os.environ.get("ZHIXING_CHROMIUM")
    return _executable(configured, "chromium", "chromium-browser", "google-chrome")


def pdf_available() -> bool:
    """DOCX can be converted (LibreOffice is installed)."""
    return soffice_path() is not None


def html_pdf_available() -> bool:
    """HTML can be printed (Chromium is installed)."""
    return chromium_path() is not None


def docx_to_pdf(blob: bytes) -> bytes:
    return docx_to_pdf_many([blob])[0]


def docx_to_pdf_many(blobs: list[bytes], names: list[str] | None = None) -> list[bytes]:
    """Convert DOCX blobs to PDFs, in order, with one soffice call per CHUNK_SIZE files.

    `names` are only used in error messages (files on disk are always 0001.docx, 0002.docx, …, so
    user-supplied names never reach the command line or the file system).
    """
    if names is not None and len(names) != len(blobs):
        raise ValueError("names 与 blobs 数量不一致")
    if not blobs:
        return []
    labels = list(names) if names is not None else [f"第 {i + 1} 份" for i in range(len(blobs))]
    # LibreOffice imports anything it cannot parse as plain text and "succeeds": reject non-DOCX up front.
    invalid = [label for blob, label in zip(blobs, labels, strict=True) if not _looks_like_docx(blob)]
    if invalid:
        raise PdfFailed(f"不是有效的 DOCX 文件：{'、'.join(invalid)}")
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable()

    width = max(4, len(str(len(blobs))))
    results: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="zhixing-pdf-") as tmp:
        root = Path(tmp)
        profile = root / "profile"  # private to this call; reused by its chunks, which run one after another
        for start in range(0, len(blobs), CHUNK_SIZE):
            chunk = blobs[start : start + CHUNK_SIZE]
            work = root / f"chunk{start // CHUNK_SIZE}"
            src, out = work / "in", work / "out"
            src.mkdir(parents=True)
            out.mkdir()
            stems = [f"{start + i + 1:0{width}d}" for i in range(len(chunk))]
            for stem, blob in zip(stems, chunk, strict=True):
                (src / f"{stem}.docx").write_bytes(blob)
            log = _run_soffice(soffice, profile, out, [src / f"{stem}.docx" for stem in stems])
            missing = [labels[start + i] for i, stem in enumerate(stems) if not _is_pdf(out / f"{stem}.pdf")]
            if missing:
                raise PdfFailed(f"LibreOffice 未能转换：{'、'.join(missing)}。输出：{_tail(log)}")
            results.extend((out / f"{stem}.pdf").read_bytes() for stem in stems)
            shutil.rmtree(work, ignore_errors=True)  # free disk early on big batches
    return results


def html_to_pdf(html: str) -> bytes:
    """Print self-contained HTML (inline styles, no scripts) to PDF; one private profile per call."""
    browser = chromium_path()
    if browser is None:
        raise PdfUnavailable(CHROMIUM_MISSING)
    with tempfile.TemporaryDirectory(prefix="zhixing-report-") as tmp:
        root = Path(tmp)
        page, out = root / "report.html", root / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                   f"--user-data-dir={root / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={out}",
                   page.as_uri()]
        returncode, log = _run(command, timeout=BASE_TIMEOUT, timed_out=f"Chromium 生成 PDF 超时（{BASE_TIMEOUT} 秒）")
        # Chromium's exit code is not trusted either way: the PDF on disk is the answer.
        if not _is_pdf(out):
            raise PdfFailed(f"Chromium 未能生成 PDF（退出码 {returncode}）：{_tail(log)}")
        return out.read_bytes()


def _run_soffice(soffice: str, profile: Path, outdir: Path, files: list[Path]) -> str:
    """One soffice process for all `files`; returns its combined output. Raises PdfFailed on timeout."""
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    timeout = BASE_TIMEOUT + PER_FILE_TIMEOUT * len(files)
    returncode, log = _run(cmd, timeout=timeout, timed_out=f"LibreOffice 转换超时（{timeout} 秒，{len(files)} 个文件）")
    if returncode != 0:
        raise PdfFailed(f"LibreOffice 退出码 {returncode}。输出：{_tail(log)}")
    return log


def _run(cmd: list[str], *, timeout: float, timed_out: str) -> tuple[int, str]:
    """Run the program; its exit code and combined output. On timeout: PdfFailed(`timed_out` + output)."""
    # Own session: soffice is a wrapper that forks soffice.bin and Chromium forks its helpers, so a
    # timeout must kill the whole group (a surviving child would also keep the output pipes open).
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        stdout, stderr = proc.communicate()
        raise PdfFailed(f"{timed_out}。输出：{_tail(_decode(stdout, stderr))}") from None
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    return proc.returncode, _decode(stdout, stderr)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _looks_like_docx(blob: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            return "[Content_Types].xml" in zf.namelist()  # an OPC package; soffice detects the rest
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"%PDF-"
    except OSError:
        return False


def _decode(stdout: bytes | None, stderr: bytes | None) -> str:
    return "\n".join(
        part.decode("utf-8", errors="replace").strip() for part in (stderr, stdout) if part and part.strip()
    )


def _tail(text: str) -> str:
    text = text.strip() or "（无）"
    return text if len(text) <= STDERR_TAIL else "…" + text[-STDERR_TAIL:]
