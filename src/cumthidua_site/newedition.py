"""`new-edition YEAR`: next year's folder, with last year's members and nothing else known yet."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from .dataset import ARTICLE_FILE, YEAR_DIR, load_project
from .errors import Location, Problem, error, warning

CLUSTER = """\
# Số liệu chung của cả cụm thi đua năm {year}. Tạo bằng lệnh `cumthidua-site new-edition {year}`
# từ danh sách tỉnh của năm {previous}; mọi con số đều chưa biết.
#
# CẦN LÀM TRƯỚC KHI NĂM NÀY LÊN TRANG
#   1. Khai báo ít nhất một nguồn tin ở mục sources (xem data/{previous}/cluster.yaml làm mẫu).
#   2. Ghi các số liệu nguồn nêu, mỗi con số kèm source: mã nguồn. Số nào nguồn không nêu
#      thì bỏ qua: trang sẽ ghi "bài gốc không nêu". Xem các trường dùng được trong
#      data/{previous}/cluster.yaml và README, mục "Năm mới".
#   3. Viết bài trong article.md.
# Khi chưa đủ nguồn và bài, `make check` nhắc và `make build` chưa đưa năm này lên trang.

name: {name}
short_name: {short_name}

# Năm được chấm điểm, tổng kết: phải trùng tên thư mục.
year: {year}

# Các nguồn tin: mã nguồn, rồi publisher, title, authors, url, published...
sources: {{}}

# Số tỉnh thành viên nguồn nêu: {{value: 12, qualifier: exact, source: mã-nguồn}}.
member_count: {{qualifier: unknown}}
"""

PROVINCES = """\
# Số liệu từng tỉnh năm {year}. Danh sách tỉnh chép từ năm {previous}, bỏ các tỉnh không còn
# tồn tại năm {year} sau khi sắp xếp đơn vị hành chính.{merged_note}
# Mỗi tỉnh: rank, score, income_per_capita, poverty_reduction, ghi như data/{previous}/provinces.yaml.
# Số nào nguồn không nêu thì bỏ qua.

{members}"""

ARTICLE = """\
---
# Tít, sapo và tác giả; chữ trong {{{{ }}}} là biểu thức lấy số liệu (xem README, mục "Viết bài").
title: ""
sapo: ""
byline: ""
published: {today}
---
<!--
Viết bài năm {year} ở đây, thay cho lời nhắc này. Mọi con số lấy từ số liệu bằng biểu thức,
ví dụ {{{{ economy.budget_revenue | fig }}}}; không gõ tay con số. Xem data/{previous}/article.md
làm mẫu. Khi bài còn trống, năm {year} chưa lên trang.
-->
"""


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create(data_dir: Path, year_text: str, today: str) -> tuple[Optional[Path], list[Problem]]:
    """Make data/<year>/ from the newest edition before it; refuse to touch an existing folder."""
    if not YEAR_DIR.fullmatch(year_text):
        return None, [error(Location(data_dir), f"“{year_text}” không phải một năm",
                            "ghi năm bằng bốn chữ số, ví dụ: cumthidua-site new-edition 2024")]
    year = int(year_text)
    folder = data_dir / year_text
    if folder.exists() or folder.is_symlink():
        return None, [error(Location(folder), f"đã có thư mục {year_text}/ trong {data_dir}; không ghi đè",
                            "sửa trực tiếp các tệp trong thư mục đó, hoặc xóa thư mục nếu muốn tạo lại từ đầu")]
    project, problems = load_project(data_dir)
    if project is None:
        return None, problems or [error(Location(data_dir), "số liệu hiện có chưa hợp lệ",
                                        "chạy `make check` và sửa các lỗi trước")]
    editions = {**{y: d.edition for y, d in project.editions.items()},
                **{y: e for y, e in project.drafts.items() if e is not None}}
    earlier = [y for y in editions if y < year] or list(editions)
    if not earlier:
        return None, [error(Location(data_dir), "chưa có năm nào để chép danh sách tỉnh",
                            "tạo thư mục năm đầu tiên theo mẫu trong README")]
    previous = editions[max(earlier)]
    existing = set(project.reference.existing(year))
    kept = [name for name in previous.provinces if name in existing]
    gone = [name for name in previous.provinces if name not in existing]
    notes = []
    for name in gone:
        change = project.reference.change_of(name)
        into = f", nay thuộc {change.into} (từ {change.since.day}/{change.since.month}/{change.since.year})" \
            if change else ""
        notes.append(warning(Location(folder / "provinces.yaml"),
                             f"{name} không còn là một tỉnh năm {year}{into}: không đưa vào danh sách",
                             "nếu tỉnh, thành phố mới là thành viên của cụm, thêm tên đó vào provinces.yaml"))
    merged_note = ("\n# Không còn năm " + str(year) + ": " + ", ".join(gone) + ".") if gone else ""
    files = {
        "cluster.yaml": CLUSTER.format(year=year, previous=previous.year, name=_quoted(previous.cluster.name),
                                       short_name=_quoted(previous.cluster.short_name)),
        "provinces.yaml": PROVINCES.format(year=year, previous=previous.year, merged_note=merged_note,
                                           members="".join(f"{_quoted(n)}: {{}}\n" for n in kept) or "{}\n"),
        ARTICLE_FILE: ARTICLE.format(year=year, previous=previous.year, today=today),
    }
    # Written beside first; the folder is claimed with mkdir, which fails rather than share a
    # folder another run (or an editor) made meanwhile; each file then moves in whole.
    staging = Path(tempfile.mkdtemp(prefix=f".{year_text}-", dir=data_dir))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        try:
            os.mkdir(folder)
        except FileExistsError:
            return None, [error(Location(folder), f"đã có thư mục {year_text}/ trong {data_dir}; không ghi đè",
                                "sửa trực tiếp các tệp trong thư mục đó")]
        for name in files:
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder, notes
