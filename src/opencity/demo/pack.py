"""The Huế demo pack as data: units, categories and their questions, routing rules, staff
logins and response templates.

Kept as plain tables (no ORM here) so the README and ``make run`` can print the logins without
touching the database, and so a reviewer can read the whole pack on one screen per table.
Names follow the 2025 reorganisation: 2-level government (city → wards/communes), Sở Giao
thông vận tải merged into Sở Xây dựng, Sở Tài nguyên và Môi trường merged with Sở Nông nghiệp
into Sở Nông nghiệp và Môi trường, Sở Thông tin và Truyền thông into Sở Khoa học và Công nghệ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "hue-demo-2025"


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    short_name: str = ""
    kind: str = "state"  # orgs.UnitKind
    ward: str = ""  # set for ward-level units: the ward's exact Area.name
    requires_result_approval: bool = False


# City-level state agencies. Only units that process field reports are listed.
CITY_UNITS: tuple[UnitRow, ...] = (
    UnitRow("vp-ubnd", "Văn phòng UBND thành phố Huế", "VP UBND TP"),
    UnitRow(
        "so-xay-dung", "Sở Xây dựng thành phố Huế", "Sở Xây dựng", requires_result_approval=True
    ),
    UnitRow("so-nn-mt", "Sở Nông nghiệp và Môi trường thành phố Huế", "Sở NN&MT"),
    UnitRow("chi-cuc-thu-y", "Chi cục Chăn nuôi và Thú y thành phố Huế", "Chi cục CN&TY"),
    UnitRow("cong-an", "Công an thành phố Huế", "Công an TP Huế"),
    UnitRow("csgt", "Phòng Cảnh sát giao thông – Công an thành phố Huế", "Phòng CSGT"),
    UnitRow("so-y-te", "Sở Y tế thành phố Huế", "Sở Y tế"),
    UnitRow("chi-cuc-attp", "Chi cục An toàn vệ sinh thực phẩm thành phố Huế", "Chi cục ATVSTP"),
    UnitRow("so-vh-tt", "Sở Văn hóa và Thể thao thành phố Huế", "Sở VH&TT"),
    UnitRow("so-du-lich", "Sở Du lịch thành phố Huế", "Sở Du lịch"),
    UnitRow("so-gd-dt", "Sở Giáo dục và Đào tạo thành phố Huế", "Sở GD&ĐT"),
    UnitRow("so-khcn", "Sở Khoa học và Công nghệ thành phố Huế", "Sở KH&CN"),
    UnitRow("bao-ton-di-san", "Trung tâm Bảo tồn Di sản văn hóa Huế", "TT Bảo tồn Di sản"),
    UnitRow("hcc", "Trung tâm Phục vụ hành chính công thành phố Huế", "TT PVHCC"),
    # Organisations and enterprises that process reports in their field.
    UnitRow("hepco", "Công ty Cổ phần Môi trường và Công trình đô thị Huế", "HEPCO", "enterprise"),
    UnitRow("huewaco", "Công ty Cổ phần Cấp nước Thừa Thiên Huế", "HUEWACO", "enterprise"),
    UnitRow("pc-hue", "Công ty Điện lực Thừa Thiên Huế", "PC Thừa Thiên Huế", "enterprise"),
    UnitRow(
        "duong-bo",
        "Công ty TNHH NN MTV Quản lý đường bộ và Xây dựng công trình Huế",
        "QLĐB Huế",
        "enterprise",
    ),
    UnitRow(
        "cong-vien-cay-xanh",
        "Trung tâm Công viên Cây xanh Huế",
        "TT Công viên Cây xanh",
        "enterprise",
    ),
    UnitRow("vnpt-hue", "VNPT Huế", "VNPT Huế", "enterprise"),
    UnitRow("viettel-hue", "Viettel Huế", "Viettel Huế", "enterprise"),
)

# Ward-level people's committees (the lower of the two government levels). The urban wards
# and the larger towns of the former districts.
WARD_UNITS: tuple[UnitRow, ...] = (
    UnitRow("ubnd-phu-xuan", "UBND Phường Phú Xuân", "UBND P. Phú Xuân", ward="Phường Phú Xuân"),
    UnitRow(
        "ubnd-thuan-hoa",
        "UBND Phường Thuận Hóa",
        "UBND P. Thuận Hóa",
        ward="Phường Thuận Hóa",
        requires_result_approval=True,
    ),
    UnitRow("ubnd-vy-da", "UBND Phường Vỹ Dạ", "UBND P. Vỹ Dạ", ward="Phường Vỹ Dạ"),
    UnitRow("ubnd-an-cuu", "UBND Phường An Cựu", "UBND P. An Cựu", ward="Phường An Cựu"),
    UnitRow("ubnd-kim-long", "UBND Phường Kim Long", "UBND P. Kim Long", ward="Phường Kim Long"),
    UnitRow(
        "ubnd-thuy-xuan", "UBND Phường Thủy Xuân", "UBND P. Thủy Xuân", ward="Phường Thủy Xuân"
    ),
    UnitRow("ubnd-huong-an", "UBND Phường Hương An", "UBND P. Hương An", ward="Phường Hương An"),
    UnitRow("ubnd-thuan-an", "UBND Phường Thuận An", "UBND P. Thuận An", ward="Phường Thuận An"),
    UnitRow("ubnd-duong-no", "UBND Phường Dương Nỗ", "UBND P. Dương Nỗ", ward="Phường Dương Nỗ"),
    UnitRow(
        "ubnd-my-thuong", "UBND Phường Mỹ Thượng", "UBND P. Mỹ Thượng", ward="Phường Mỹ Thượng"
    ),
    UnitRow(
        "ubnd-huong-thuy", "UBND Phường Hương Thủy", "UBND P. Hương Thủy", ward="Phường Hương Thủy"
    ),
    UnitRow("ubnd-phu-bai", "UBND Phường Phú Bài", "UBND P. Phú Bài", ward="Phường Phú Bài"),
)

UNITS: tuple[UnitRow, ...] = CITY_UNITS + WARD_UNITS


def choice(key: str, vi: str, en: str) -> dict[str, str]:
    return {"key": key, "vi": vi, "en": en}


@dataclass(frozen=True)
class QuestionRow:
    code: str
    label_vi: str
    label_en: str
    kind: str = "text"  # reports.QuestionKind
    required: bool = False
    choices: tuple[dict[str, str], ...] = ()
    # the answer is shown with the public report: only for answers that cannot be personal
    # (a fixed choice, a depth, a count) — never free text such as a pole number or a plate
    public: bool = False


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name_vi: str
    name_en: str
    group: str
    icon: str
    deadline_hours: int  # working hours
    unit: str  # the city-wide routing rule's unit code
    weight: float  # how often citizens report it, relative
    automatic: bool = False  # the city-wide rule routes without an operator
    ward_rules: bool = False  # the wards with a UBND unit handle it themselves
    duplicate_radius_m: int = 50
    season: bool = False  # peaks in the rainy season (September–December)
    places: tuple[str, ...] = ()  # only reported in these wards (empty: anywhere)
    questions: tuple[QuestionRow, ...] = field(default_factory=tuple)


LIGHT_STATES = (
    # The first choice key must stay "off": the browser test of the story picks it.
    choice("off", "Tắt hẳn", "Completely off"),
    choice("flicker", "Chập chờn", "Flickering"),
    choice("daytime", "Sáng ban ngày", "On during the day"),
)
HERITAGE_WARDS = (
    "Phường Phú Xuân",
    "Phường Thuận Hóa",
    "Phường Kim Long",
    "Phường Thủy Xuân",
    "Phường Hương Thủy",
    "Phường Kim Trà",
)
TOURISM_WARDS = HERITAGE_WARDS + (
    "Phường Vỹ Dạ",
    "Phường Thuận An",
    "Xã Chân Mây – Lăng Cô",
    "Xã Vinh Lộc",
    "Xã Phú Lộc",
)

CATEGORIES: tuple[CategoryRow, ...] = (
    CategoryRow(
        "chieu-sang",
        "Chiếu sáng công cộng",
        "Street lighting",
        "Hạ tầng đô thị",
        "lightbulb",
        16,
        "hepco",
        14,
        questions=(
            QuestionRow("so-cot", "Số cột đèn (nếu thấy)", "Pole number (if visible)"),
            QuestionRow("tinh-trang", "Tình trạng", "Condition", "single", True, LIGHT_STATES, public=True),
        ),
    ),
    CategoryRow(
        "rac-thai",
        "Rác thải, vệ sinh môi trường",
        "Waste and street cleaning",
        "Môi trường",
        "trash-2",
        16,
        "hepco",
        14,
        ward_rules=True,
        questions=(
            QuestionRow(
                "loai-rac",
                "Loại rác",
                "Kind of waste",
                "multiple",
                False,
                (
                    choice("household", "Rác sinh hoạt", "Household waste"),
                    choice("construction", "Xà bần, phế thải xây dựng", "Construction debris"),
                    choice("bulky", "Đồ cồng kềnh", "Bulky items"),
                    choice("dead-animal", "Xác động vật", "Dead animal"),
                ),
                public=True,
            ),
        ),
    ),
    CategoryRow(
        "lan-chiem-via-he",
        "Lấn chiếm vỉa hè, lòng đường",
        "Pavement and roadway encroachment",
        "Trật tự đô thị",
        "construction",
        24,
        "so-xay-dung",
        10,
        ward_rules=True,
    ),
    CategoryRow(
        "hu-hong-duong",
        "Hư hỏng đường, vỉa hè",
        "Damaged roads and pavements",
        "Giao thông",
        "road",
        40,
        "duong-bo",
        9,
        automatic=True,
        questions=(
            QuestionRow(
                "kich-thuoc",
                "Kích thước ổ gà",
                "Size of the pothole",
                "single",
                False,
                (
                    choice("small", "Nhỏ (dưới 30 cm)", "Small (under 30 cm)"),
                    choice("medium", "Vừa (30 cm – 1 m)", "Medium (30 cm – 1 m)"),
                    choice("large", "Lớn (trên 1 m)", "Large (over 1 m)"),
                ),
                public=True,
            ),
        ),
    ),
    CategoryRow(
        "cay-xanh",
        "Cây xanh",
        "Trees and green spaces",
        "Môi trường",
        "tree-deciduous",
        24,
        "cong-vien-cay-xanh",
        7,
        automatic=True,
        season=True,
        questions=(
            QuestionRow(
                "nguy-co",
                "Nguy cơ",
                "Hazard",
                "multiple",
                False,
                (
                    choice("leaning", "Cây nghiêng, có nguy cơ đổ", "Leaning, may fall"),
                    choice("dead-branch", "Cành khô dễ gãy", "Dead branches"),
                    choice("power-line", "Chạm đường dây điện", "Touching power lines"),
                    choice("blocking", "Che khuất đèn, biển báo", "Hiding lights or signs"),
                ),
                public=True,
            ),
        ),
    ),
    CategoryRow(
        "ngap-ung",
        "Ngập úng",
        "Flooding",
        "Hạ tầng đô thị",
        "waves",
        8,
        "so-xay-dung",
        5,
        duplicate_radius_m=150,
        season=True,
        questions=(
            QuestionRow("do-sau", "Độ sâu ước tính (cm)", "Estimated depth (cm)", "number", True, public=True),
            QuestionRow(
                "nuoc-rut",
                "Nước đã rút chưa?",
                "Has the water gone down?",
                "single",
                False,
                (
                    choice("no", "Chưa rút", "Not yet"),
                    choice("slow", "Rút chậm", "Slowly"),
                    choice("yes", "Đã rút", "Yes"),
                ),
                public=True,
            ),
        ),
    ),
    CategoryRow(
        "cong-thoat-nuoc",
        "Cống, thoát nước",
        "Drains and sewers",
        "Hạ tầng đô thị",
        "droplets",
        24,
        "hepco",
        5,
        season=True,
    ),
    CategoryRow(
        "cap-nuoc",
        "Cấp nước",
        "Water supply",
        "Dịch vụ công ích",
        "droplet",
        16,
        "huewaco",
        5,
        automatic=True,
        duplicate_radius_m=100,
        questions=(
            QuestionRow(
                "su-co",
                "Sự cố",
                "Problem",
                "single",
                True,
                (
                    choice("no-water", "Mất nước", "No water"),
                    choice("low-pressure", "Nước yếu", "Low pressure"),
                    choice("burst-pipe", "Vỡ, rò rỉ đường ống", "Burst or leaking pipe"),
                    choice("dirty", "Nước đục, có mùi", "Cloudy or smelly water"),
                ),
                public=True,
            ),
        ),
    ),
    CategoryRow(
        "dien",
        "Điện",
        "Electricity",
        "Dịch vụ công ích",
        "zap",
        8,
        "pc-hue",
        4,
        automatic=True,
        duplicate_radius_m=100,
        questions=(
            QuestionRow(
                "su-co",
                "Sự cố",
                "Problem",
                "single",
                True,
                (
                    choice("outage", "Mất điện", "Power cut"),
                    choice("sagging-wire", "Dây điện võng, đứt", "Sagging or broken wire"),
                    choice("leaning-pole", "Cột điện nghiêng", "Leaning pole"),
                ),
                public=True,
            ),
        ),
    ),
    CategoryRow(
        "bien-bao-den-tin-hieu",
        "Biển báo, đèn tín hiệu giao thông",
        "Traffic signs and signals",
        "Giao thông",
        "traffic-cone",
        16,
        "so-xay-dung",
        4,
    ),
    CategoryRow(
        "trat-tu-xay-dung",
        "Trật tự xây dựng",
        "Building control",
        "Trật tự đô thị",
        "hammer",
        40,
        "so-xay-dung",
        4,
        ward_rules=True,
        questions=(
            QuestionRow(
                "loai",
                "Loại vi phạm",
                "Kind of breach",
                "single",
                False,
                (
                    choice("no-permit", "Xây dựng không phép", "Building without a permit"),
                    choice("wrong-permit", "Sai giấy phép", "Not as permitted"),
                    choice("materials", "Để vật liệu ra đường", "Materials on the road"),
                    choice("dust", "Gây bụi, mất an toàn", "Dust or unsafe site"),
                ),
                public=True,
            ),
        ),
    ),
    CategoryRow(
        "tieng-on",
        "Ô nhiễm tiếng ồn",
        "Noise",
        "Môi trường",
        "volume-2",
        24,
        "cong-an",
        4,
        duplicate_radius_m=100,
        questions=(
            QuestionRow(
                "khung-gio",
                "Thời điểm",
                "When",
                "single",
                False,
                (
                    choice("day", "Ban ngày", "Daytime"),
                    choice("evening", "Buổi tối (18–22 giờ)", "Evening (6–10 pm)"),
                    choice("night", "Ban đêm (sau 22 giờ)", "Night (after 10 pm)"),
                ),
                public=True,
            ),
            QuestionRow("ngay", "Ngày xảy ra", "Date", "date"),
        ),
    ),
    CategoryRow(
        "an-ninh-trat-tu",
        "An ninh trật tự",
        "Public order and safety",
        "An ninh – xã hội",
        "shield-alert",
        16,
        "cong-an",
        3,
    ),
    CategoryRow(
        "vien-thong",
        "Hạ tầng viễn thông",
        "Telecom infrastructure",
        "Dịch vụ công ích",
        "radio-tower",
        40,
        "vnpt-hue",
        3,
    ),
    CategoryRow(
        "quang-cao",
        "Quảng cáo, rao vặt trái phép",
        "Illegal advertising and flyers",
        "Trật tự đô thị",
        "megaphone",
        40,
        "so-vh-tt",
        3,
    ),
    CategoryRow(
        "khong-khi",
        "Ô nhiễm không khí",
        "Air pollution",
        "Môi trường",
        "cloud-fog",
        40,
        "so-nn-mt",
        2,
        duplicate_radius_m=200,
    ),
    CategoryRow(
        "dong-vat",
        "Động vật, thú nuôi",
        "Animals and pets",
        "Đời sống – xã hội",
        "dog",
        24,
        "chi-cuc-thu-y",
        2,
    ),
    CategoryRow(
        "an-toan-thuc-pham",
        "Vệ sinh an toàn thực phẩm",
        "Food safety",
        "Y tế – giáo dục",
        "utensils",
        40,
        "chi-cuc-attp",
        2,
    ),
    CategoryRow(
        "di-tich",
        "Di tích, di sản",
        "Heritage sites",
        "Văn hóa – du lịch",
        "landmark",
        40,
        "bao-ton-di-san",
        2,
        places=HERITAGE_WARDS,
    ),
    CategoryRow(
        "du-lich",
        "Du lịch",
        "Tourism",
        "Văn hóa – du lịch",
        "luggage",
        40,
        "so-du-lich",
        2,
        places=TOURISM_WARDS,
    ),
    CategoryRow("y-te", "Y tế", "Health", "Y tế – giáo dục", "hospital", 40, "so-y-te", 2),
    CategoryRow("giao-duc", "Giáo dục", "Education", "Y tế – giáo dục", "school", 80, "so-gd-dt", 1),
    CategoryRow(
        "dich-vu-cong",
        "Dịch vụ công, thủ tục hành chính",
        "Public services and procedures",
        "Hành chính",
        "file-text",
        40,
        "hcc",
        2,
    ),
    CategoryRow(
        "xe-bo-hoang",
        "Xe, phương tiện bỏ hoang",
        "Abandoned vehicles",
        "Giao thông",
        "car",
        80,
        "csgt",
        1,
        questions=(
            QuestionRow("bien-so", "Biển số (nếu có)", "Number plate (if any)"),
            QuestionRow("so-ngay", "Đã để bao nhiêu ngày?", "For how many days?", "number", public=True),
        ),
    ),
    CategoryRow("khac", "Khác", "Other", "Khác", "pencil", 80, "vp-ubnd", 2),
)

# Ward rules are automatic for encroachment: the ward's own urban-order team goes out.
AUTOMATIC_WARD_RULES = frozenset({"lan-chiem-via-he"})


@dataclass(frozen=True)
class StaffRow:
    phone: str
    full_name: str
    role: str  # accounts.Role
    label: str = ""  # shown in the login table; only the main demo logins have one
    unit: str = ""  # unit code for a membership
    is_head: bool = False
    home_area: str = ""  # Area.name
    is_admin: bool = False


# One login per role, in the order the demo walks through the story.
DEMO_LOGINS: tuple[StaffRow, ...] = (
    StaffRow(
        "0901000001",
        "Nguyễn Thị Hoa",
        "citizen",
        "Người dân (citizen)",
        home_area="Phường Phú Xuân",
    ),
    StaffRow("0901000002", "Trần Văn Điều", "operator", "Điều phối viên IOC (operator)"),
    StaffRow("0901000003", "Lê Văn Sáng", "officer", "Cán bộ xử lý HEPCO (officer)", unit="hepco"),
    StaffRow(
        "0901000004",
        "Phạm Thị Hạnh",
        "officer",
        "Trưởng đơn vị HEPCO (unit head)",
        unit="hepco",
        is_head=True,
    ),
    StaffRow(
        "0901000005",
        "Hoàng Văn Phường",
        "ward_official",
        "Cán bộ UBND Phường Phú Xuân (ward official)",
        unit="ubnd-phu-xuan",
        home_area="Phường Phú Xuân",
    ),
    StaffRow("0901000006", "Võ Thị Thoại", "hotline", "Tổng đài viên 1900 1075 (hotline)"),
    StaffRow("0901000007", "Ngô Văn Lãnh", "leader", "Lãnh đạo thành phố (leader)"),
    StaffRow(
        "0901000008", "Quản trị hệ thống", "admin", "Quản trị hệ thống (admin)", is_admin=True
    ),
)

# Everyone else who works reports in the history: every unit has an officer, units whose
# results need approval have a head. Same demo password, so any unit's inbox can be shown.
STAFF: tuple[StaffRow, ...] = (
    StaffRow("0901000101", "Nguyễn Thị Thu Trang", "operator"),
    StaffRow("0901000102", "Lê Quang Huy", "operator"),
    StaffRow("0901000103", "Đặng Thị Mỹ Linh", "hotline"),
    StaffRow("0901000104", "Trương Công Đạt", "officer", unit="hepco"),
    StaffRow("0901000111", "Huỳnh Văn Lộc", "officer", unit="vp-ubnd"),
    StaffRow("0901000112", "Phan Thanh Tùng", "officer", unit="so-xay-dung"),
    StaffRow("0901000113", "Tôn Thất Minh", "officer", unit="so-xay-dung", is_head=True),
    StaffRow("0901000114", "Bùi Thị Ngọc Ánh", "officer", unit="so-nn-mt"),
    StaffRow("0901000115", "Dương Văn Thú", "officer", unit="chi-cuc-thu-y"),
    StaffRow("0901000116", "Nguyễn Hữu Bảo", "officer", unit="cong-an"),
    StaffRow("0901000117", "Lê Công Trực", "officer", unit="csgt"),
    StaffRow("0901000118", "Trần Thị Diệu Hiền", "officer", unit="so-y-te"),
    StaffRow("0901000119", "Hồ Thị Thanh Tâm", "officer", unit="chi-cuc-attp"),
    StaffRow("0901000120", "Tôn Nữ Thu Hà", "officer", unit="so-vh-tt"),
    StaffRow("0901000121", "Nguyễn Phúc Khang", "officer", unit="so-du-lich"),
    StaffRow("0901000122", "Võ Thị Kim Chi", "officer", unit="so-gd-dt"),
    StaffRow("0901000123", "Đỗ Minh Khoa", "officer", unit="so-khcn"),
    StaffRow("0901000124", "Hoàng Thị Cẩm Tú", "officer", unit="bao-ton-di-san"),
    StaffRow("0901000125", "Phạm Văn Công", "officer", unit="hcc"),
    StaffRow("0901000126", "Ngô Thị Thủy", "officer", unit="huewaco"),
    StaffRow("0901000127", "Lê Văn Điện", "officer", unit="pc-hue"),
    StaffRow("0901000128", "Trần Quốc Đường", "officer", unit="duong-bo"),
    StaffRow("0901000129", "Nguyễn Văn Lâm", "officer", unit="cong-vien-cay-xanh"),
    StaffRow("0901000130", "Phan Thị Ngọc Hân", "officer", unit="vnpt-hue"),
    StaffRow("0901000131", "Lê Đức Việt", "officer", unit="viettel-hue"),
    StaffRow(
        "0901000141",
        "Nguyễn Thị Hồng Nhung",
        "ward_official",
        unit="ubnd-phu-xuan",
        home_area="Phường Phú Xuân",
        is_head=True,
    ),
    StaffRow(
        "0901000142",
        "Trần Đình Hòa",
        "ward_official",
        unit="ubnd-thuan-hoa",
        home_area="Phường Thuận Hóa",
    ),
    StaffRow(
        "0901000143",
        "Lê Thị Thu Hương",
        "ward_official",
        unit="ubnd-thuan-hoa",
        home_area="Phường Thuận Hóa",
        is_head=True,
    ),
    StaffRow(
        "0901000144", "Hồ Văn Vỹ", "ward_official", unit="ubnd-vy-da", home_area="Phường Vỹ Dạ"
    ),
    StaffRow(
        "0901000145", "Phạm Thị An", "ward_official", unit="ubnd-an-cuu", home_area="Phường An Cựu"
    ),
    StaffRow(
        "0901000146",
        "Nguyễn Văn Long",
        "ward_official",
        unit="ubnd-kim-long",
        home_area="Phường Kim Long",
    ),
    StaffRow(
        "0901000147",
        "Trần Thị Xuân",
        "ward_official",
        unit="ubnd-thuy-xuan",
        home_area="Phường Thủy Xuân",
    ),
    StaffRow(
        "0901000148",
        "Lê Văn Hương",
        "ward_official",
        unit="ubnd-huong-an",
        home_area="Phường Hương An",
    ),
    StaffRow(
        "0901000149",
        "Võ Văn Thuận",
        "ward_official",
        unit="ubnd-thuan-an",
        home_area="Phường Thuận An",
    ),
    StaffRow(
        "0901000150",
        "Đoàn Thị Nỗ",
        "ward_official",
        unit="ubnd-duong-no",
        home_area="Phường Dương Nỗ",
    ),
    StaffRow(
        "0901000151",
        "Hoàng Minh Thượng",
        "ward_official",
        unit="ubnd-my-thuong",
        home_area="Phường Mỹ Thượng",
    ),
    StaffRow(
        "0901000152",
        "Nguyễn Thị Thủy Tiên",
        "ward_official",
        unit="ubnd-huong-thuy",
        home_area="Phường Hương Thủy",
    ),
    StaffRow(
        "0901000153",
        "Phan Văn Bài",
        "ward_official",
        unit="ubnd-phu-bai",
        home_area="Phường Phú Bài",
    ),
)


@dataclass(frozen=True)
class TemplateRow:
    unit: str  # "" for every unit
    category: str  # "" for every category
    title: str
    text: str


TEMPLATES: tuple[TemplateRow, ...] = (
    TemplateRow(
        "hepco",
        "chieu-sang",
        "Đã thay bóng đèn",
        "Vấn đề quý ông, bà phản ánh, Công ty Cổ phần Môi trường và Công trình đô thị Huế xin "
        "thông báo kết quả như sau: đơn vị đã thay bóng đèn LED mới, đèn chiếu sáng đã hoạt động "
        "bình thường. Trân trọng cảm ơn.",
    ),
    TemplateRow(
        "hepco",
        "chieu-sang",
        "Đã sửa chữa đường dây",
        "Vấn đề quý ông, bà phản ánh, Công ty Cổ phần Môi trường và Công trình đô thị Huế xin "
        "thông báo kết quả như sau: đơn vị đã kiểm tra, sửa chữa đường dây cấp nguồn và tủ điều "
        "khiển; hệ thống chiếu sáng đã hoạt động trở lại.",
    ),
    TemplateRow(
        "hepco",
        "chieu-sang",
        "Đã chỉnh lại chế độ bật tắt",
        "Đơn vị đã kiểm tra và cài đặt lại thời gian bật, tắt của tủ điều khiển chiếu sáng; đèn "
        "không còn sáng vào ban ngày.",
    ),
    TemplateRow(
        "hepco",
        "rac-thai",
        "Đã thu gom rác",
        "Vấn đề quý ông, bà phản ánh, Công ty Cổ phần Môi trường và Công trình đô thị Huế xin "
        "thông báo: đơn vị đã bố trí xe thu gom toàn bộ rác tồn đọng và vệ sinh khu vực.",
    ),
    TemplateRow(
        "hepco",
        "cong-thoat-nuoc",
        "Đã nạo vét cống",
        "Đơn vị đã nạo vét, khơi thông hố ga và tuyến cống, nước đã thoát bình thường.",
    ),
    TemplateRow(
        "huewaco",
        "cap-nuoc",
        "Đã khắc phục rò rỉ",
        "Công ty Cổ phần Cấp nước Thừa Thiên Huế đã khắc phục điểm rò rỉ đường ống, việc cấp nước "
        "đã trở lại bình thường. Xin lỗi quý khách vì sự bất tiện.",
    ),
    TemplateRow(
        "pc-hue",
        "dien",
        "Đã khôi phục cấp điện",
        "Công ty Điện lực Thừa Thiên Huế đã xử lý sự cố và khôi phục cấp điện cho khu vực.",
    ),
    TemplateRow(
        "cong-vien-cay-xanh",
        "cay-xanh",
        "Đã cắt tỉa cây",
        "Trung tâm Công viên Cây xanh Huế đã cắt tỉa cành khô, gia cố cây, bảo đảm an toàn cho "
        "người và phương tiện.",
    ),
    TemplateRow(
        "ubnd-phu-xuan",
        "lan-chiem-via-he",
        "Đã xử lý lấn chiếm",
        "UBND Phường Phú Xuân đã chỉ đạo tổ trật tự đô thị kiểm tra, nhắc nhở và yêu cầu các hộ "
        "kinh doanh dọn dẹp, trả lại vỉa hè cho người đi bộ.",
    ),
    TemplateRow(
        "",
        "",
        "Đề nghị bổ sung thông tin",
        "Để xử lý phản ánh, đề nghị quý ông, bà cung cấp thêm vị trí cụ thể (số nhà, kiệt, hẻm) và "
        "hình ảnh hiện trường.",
    ),
    TemplateRow(
        "",
        "",
        "Không thuộc thẩm quyền",
        "Nội dung phản ánh không thuộc thẩm quyền của đơn vị; đề nghị Trung tâm IOC chuyển đơn vị "
        "có thẩm quyền xử lý.",
    ),
)


def demo_logins() -> list[tuple[str, str, str]]:
    """The login table printed by ``make run`` and the README: (role label, phone, name).
    Every one uses :data:`DEMO_PASSWORD`. Last, the first rescue team's member (a citizen account
    in a team, loaded by ``opencity.emergency.demo``): the rescue board's login."""
    from opencity.emergency.demo import TEAMS

    team, phone, name, _place = TEAMS[0]
    rows = [(row.label, row.phone, row.full_name) for row in DEMO_LOGINS]
    return [*rows, (f"Thành viên {team} (rescue team)", phone, name)]
