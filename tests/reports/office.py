"""Opens a generated document in LibreOffice headless (to PDF) and renders its first page.

"It opens in an office suite" is shown by converting it: LibreOffice exits 0 and writes a
PDF with at least one page. Missing LibreOffice skips locally and fails under CI=true
(`tests/services.py`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.services import office_suite, unavailable


def to_pdf(document: Path, out_dir: Path) -> Path:
    """`document` (.docx/.xlsx) converted to PDF in `out_dir` by LibreOffice; the PDF's path."""
    soffice = office_suite()
    if soffice is None:
        unavailable("LibreOffice", "scripts/setup --system installs libreoffice-writer-nogui")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sjg-lo-") as profile:  # a private profile: parallel-safe
        done = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(document),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    pdf = out_dir / (document.stem + ".pdf")
    assert done.returncode == 0, f"LibreOffice could not open {document.name}: {done.stderr}"
    assert pdf.exists(), f"LibreOffice wrote no PDF of {document.name}: {done.stdout}"
    assert pdf.read_bytes().startswith(b"%PDF"), pdf
    return pdf


def pdf_pages(pdf: Path) -> int:
    """The page count LibreOffice wrote (poppler's pdfinfo)."""
    tool = shutil.which("pdfinfo")
    if tool is None:
        unavailable("poppler-utils", "scripts/setup --system installs poppler-utils")
    info = subprocess.run([tool, str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def first_page_png(pdf: Path, png: Path, *, dpi: int = 60) -> Path:
    """The PDF's first page as a PNG at `png` (pdftoppm), for docs/samples/."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        unavailable("poppler-utils", "scripts/setup --system installs poppler-utils")
    stem = png.with_suffix("")
    subprocess.run(
        [tool, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)], check=True
    )
    return png
