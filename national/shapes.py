"""What the synthetic nation is made of: the shapes (the 2025 country and the one before), the
names and counts of its units, the directive's targets and the tasks plans give, and the small
records the generator passes around (``Node``, ``Summary``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

SHAPES = ("2025", "pre2025")
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEP = 4
ARRANGEMENT = date(2025, 7, 1)  # Nghị quyết 202/2025/QH15: the new provinces and communes

# The 34 provinces since 1 July 2025, each with the provinces merged into it before.
PROVINCES_2025: list[tuple[str, list[str]]] = [
    ("Hà Nội", ["Hà Nội"]),
    ("Huế", ["Thừa Thiên Huế"]),
    ("Lai Châu", ["Lai Châu"]),
    ("Điện Biên", ["Điện Biên"]),
    ("Sơn La", ["Sơn La"]),
    ("Lạng Sơn", ["Lạng Sơn"]),
    ("Quảng Ninh", ["Quảng Ninh"]),
    ("Thanh Hóa", ["Thanh Hóa"]),
    ("Nghệ An", ["Nghệ An"]),
    ("Hà Tĩnh", ["Hà Tĩnh"]),
    ("Cao Bằng", ["Cao Bằng"]),
    ("Tuyên Quang", ["Tuyên Quang", "Hà Giang"]),
    ("Lào Cai", ["Lào Cai", "Yên Bái"]),
    ("Thái Nguyên", ["Thái Nguyên", "Bắc Kạn"]),
    ("Phú Thọ", ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"]),
    ("Bắc Ninh", ["Bắc Ninh", "Bắc Giang"]),
    ("Hưng Yên", ["Hưng Yên", "Thái Bình"]),
    ("Hải Phòng", ["Hải Phòng", "Hải Dương"]),
    ("Ninh Bình", ["Ninh Bình", "Hà Nam", "Nam Định"]),
    ("Quảng Trị", ["Quảng Trị", "Quảng Bình"]),
    ("Đà Nẵng", ["Đà Nẵng", "Quảng Nam"]),
    ("Quảng Ngãi", ["Quảng Ngãi", "Kon Tum"]),
    ("Gia Lai", ["Gia Lai", "Bình Định"]),
    ("Khánh Hòa", ["Khánh Hòa", "Ninh Thuận"]),
    ("Lâm Đồng", ["Lâm Đồng", "Đắk Nông", "Bình Thuận"]),
    ("Đắk Lắk", ["Đắk Lắk", "Phú Yên"]),
    ("Hồ Chí Minh", ["Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"]),
    ("Đồng Nai", ["Đồng Nai", "Bình Phước"]),
    ("Tây Ninh", ["Tây Ninh", "Long An"]),
    ("Cần Thơ", ["Cần Thơ", "Sóc Trăng", "Hậu Giang"]),
    ("Vĩnh Long", ["Vĩnh Long", "Bến Tre", "Trà Vinh"]),
    ("Đồng Tháp", ["Đồng Tháp", "Tiền Giang"]),
    ("Cà Mau", ["Cà Mau", "Bạc Liêu"]),
    ("An Giang", ["An Giang", "Kiên Giang"]),
]
CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
COUNTS = {
    "2025": {"provinces": 34, "districts": 0, "communes": 3321},
    "pre2025": {"provinces": 63, "districts": 696, "communes": 10035},
}

# The directive's targets (Chỉ thị 21-CT/TW, by 2030), as (text, low, high, numerator,
# denominator); lower plans carry the first two down.
DIRECTIVE_TARGETS = [
    (
        "Thu hút 50-55% học sinh tốt nghiệp trung học vào giáo dục nghề nghiệp",
        50,
        55,
        "Học sinh vào giáo dục nghề nghiệp",
        "Học sinh tốt nghiệp trung học",
    ),
    (
        "Khoảng 50% lực lượng lao động được đào tạo lại",
        50,
        50,
        "Lao động được đào tạo lại",
        "Lao động",
    ),
    ("Khoảng 90 cơ sở giáo dục nghề nghiệp chất lượng cao", 90, 90, "Cơ sở chất lượng cao", ""),
    ("Khoảng 200 ngành, nghề trọng điểm", 200, 200, "Ngành, nghề trọng điểm", ""),
]
TASK_TEXTS = [
    "Quán triệt, tuyên truyền sâu rộng nội dung Chỉ thị 21-CT/TW",
    "Rà soát, sắp xếp mạng lưới cơ sở giáo dục nghề nghiệp",
    "Đẩy mạnh phân luồng học sinh sau trung học cơ sở",
    "Đào tạo lại, bồi dưỡng kỹ năng cho người lao động",
    "Tăng cường phối hợp với doanh nghiệp trong đào tạo",
    "Kiểm tra, giám sát việc thực hiện kế hoạch",
    "Tổ chức sơ kết, đánh giá kết quả thực hiện",
    "Huy động nguồn lực xã hội hóa cho giáo dục nghề nghiệp",
    "Tư vấn, hướng nghiệp cho học sinh và thanh niên",
    "Biểu dương, khen thưởng tập thể, cá nhân tiêu biểu",
    "Ứng dụng công nghệ số trong quản lý đào tạo",
    "Bồi dưỡng đội ngũ nhà giáo, cán bộ quản lý",
]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def step(index: int) -> str:
    """One level of a materialized path: ``index`` in four base-36 digits (treebeard's)."""
    out = ""
    for _ in range(STEP):
        index, rest = divmod(index, 36)
        out = ALPHABET[rest] + out
    return out


@dataclass
class Node:
    """A unit being generated, with what the later stages need to know about it."""

    id: int
    path: str
    name: str
    code: str
    bloc: str
    level: str
    parent: Node | None
    province: int
    active_from: date | None = None
    active_until: date | None = None
    children: list[Node] = field(default_factory=list)
    diligence: float = 0.8  # the share of its work a unit gets done
    plan_id: int | None = None
    plan_issued: date | None = None
    plan_targets: list[int] = field(default_factory=list)  # target ids by slot
    requirement_id: int | None = None
    missing: bool = False  # never issues its plan

    @property
    def depth(self) -> int:
        return len(self.path) // STEP


@dataclass
class Summary:
    """What was generated: rows per table and a digest of every row, in order."""

    counts: Counter
    digest: str
    seconds: dict[str, float] = field(default_factory=dict)
