"""Vietnamese text for the demo history: places, people, what citizens write and what units answer.

Templates use ``{place}`` (a phrase such as "trước số nhà 31 Lê Văn Hưu") and ``{unit}``. They
are written the way reports on Hue-S read (see the seeds: "Điện đường bị hỏng trước số nhà
31/32. Mong cơ quan chức năng xử lý"), so the demo looks like the city's own data.
"""

from __future__ import annotations

# Streets by ward, for the wards of the former city of Huế and the larger towns. Other wards
# and communes get a village ("thôn") or a national/provincial road.
STREETS: dict[str, tuple[str, ...]] = {
    "Phường Phú Xuân": (
        "Đinh Tiên Hoàng",
        "Lê Duẩn",
        "Trần Hưng Đạo",
        "Ngự Hà",
        "Lê Văn Hưu",
        "Mai Thúc Loan",
        "Đoàn Thị Điểm",
        "Nguyễn Trãi",
        "Tăng Bạt Hổ",
        "Chi Lăng",
        "Huỳnh Thúc Kháng",
        "Nhật Lệ",
        "Lê Thánh Tôn",
        "Đặng Thái Thân",
        "Tô Hiến Thành",
        "Bạch Đằng",
        "Phan Đăng Lưu",
        "Nguyễn Chí Thanh",
        "Đào Duy Anh",
        "Xuân 68",
        "Thạch Hãn",
        "Lê Huân",
    ),
    "Phường Thuận Hóa": (
        "Lê Lợi",
        "Hùng Vương",
        "Nguyễn Huệ",
        "Hà Nội",
        "Điện Biên Phủ",
        "Bến Nghé",
        "Phạm Ngũ Lão",
        "Chu Văn An",
        "Đống Đa",
        "Nguyễn Thái Học",
        "Trần Quang Khải",
        "Phan Chu Trinh",
        "Lê Quý Đôn",
        "Trường Chinh",
        "Nguyễn Tri Phương",
        "Ngô Quyền",
        "Phan Bội Châu",
        "Võ Thị Sáu",
        "Đội Cung",
        "Hai Bà Trưng",
        "Lý Thường Kiệt",
        "Nguyễn Công Trứ",
    ),
    "Phường Vỹ Dạ": (
        "Nguyễn Sinh Cung",
        "Phạm Văn Đồng",
        "Tố Hữu",
        "Bà Triệu",
        "Nguyễn Lộ Trạch",
        "Hàn Mặc Tử",
    ),
    "Phường An Cựu": ("Hùng Vương", "Hồ Đắc Di", "Tôn Đức Thắng", "Võ Văn Kiệt", "An Dương Vương"),
    "Phường Kim Long": ("Kim Long", "Nguyễn Phúc Nguyên", "Văn Thánh", "Lý Nam Đế", "Nguyễn Hoàng"),
    "Phường Thủy Xuân": (
        "Minh Mạng",
        "Lê Ngô Cát",
        "Huyền Trân Công Chúa",
        "Điện Biên Phủ",
        "Bùi Thị Xuân",
    ),
    "Phường Hương An": ("Lý Thái Tổ", "Tản Đà", "Nguyễn Văn Linh", "Lý Nam Đế"),
    "Phường Hương Thủy": ("Nguyễn Tất Thành", "Võ Văn Kiệt"),
    "Phường Thanh Thủy": ("Trưng Nữ Vương", "Nguyễn Tất Thành", "Võ Văn Kiệt"),
    "Phường Phú Bài": ("Nguyễn Tất Thành", "Quốc lộ 1A"),
    "Phường Hương Trà": ("Cách Mạng Tháng Tám", "Độc Lập", "Quốc lộ 1A"),
    "Phường Thuận An": ("Quốc lộ 49A", "Tỉnh lộ 10A"),
}
ROADS = ("Quốc lộ 1A", "Quốc lộ 49", "Quốc lộ 49B", "Tỉnh lộ 10A", "Tỉnh lộ 4")
MOUNTAIN_ROADS = ("Đường Hồ Chí Minh", "Quốc lộ 49")
MOUNTAIN_WARDS = frozenset(
    {
        "Xã A Lưới 1",
        "Xã A Lưới 2",
        "Xã A Lưới 3",
        "Xã A Lưới 4",
        "Xã A Lưới 5",
        "Xã Nam Đông",
        "Xã Khe Tre",
        "Xã Long Quảng",
        "Xã Bình Điền",
    }
)
VILLAGES = (
    "Thôn 1",
    "Thôn 2",
    "Thôn 3",
    "Thôn 4",
    "Thôn Đông",
    "Thôn Tây",
    "Thôn Trung",
    "Thôn Thượng",
    "Thôn Hạ",
    "Thôn An Lại",
    "Thôn Phú Lễ",
    "Thôn Bình An",
)
LANDMARKS: dict[str, tuple[str, ...]] = {
    "Phường Phú Xuân": (
        "chợ Đông Ba",
        "chợ Tây Lộc",
        "cửa Thượng Tứ",
        "Phu Văn Lâu",
        "cầu Gia Hội",
    ),
    "Phường Thuận Hóa": (
        "chợ Bến Ngự",
        "ga Huế",
        "cầu Trường Tiền",
        "Trường Quốc Học",
        "công viên Tứ Tượng",
    ),
    "Phường Vỹ Dạ": ("chợ Vỹ Dạ", "cầu Vỹ Dạ"),
    "Phường An Cựu": ("chợ An Cựu", "bến xe phía Nam"),
    "Phường Kim Long": ("chợ Kim Long", "chùa Thiên Mụ"),
    "Phường Thủy Xuân": ("lăng Tự Đức", "đồi Vọng Cảnh"),
}

# --- People -----------------------------------------------------------------------------

SURNAMES = (
    ("Nguyễn", 30),
    ("Trần", 11),
    ("Lê", 10),
    ("Phan", 5),
    ("Hoàng", 5),
    ("Võ", 5),
    ("Huỳnh", 4),
    ("Phạm", 5),
    ("Đặng", 3),
    ("Hồ", 4),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Ngô", 2),
    ("Dương", 2),
    ("Trương", 2),
    ("Đoàn", 2),
    ("Tôn Thất", 2),
    ("Nguyễn Phúc", 1),
    ("Mai", 1),
    ("Lương", 1),
)
MALE_MIDDLE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thanh", "Xuân", "Đình", "Ngọc")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Bảo", "Diệu", "Phương", "Kim")
MALE_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Hiếu",
    "Huy",
    "Khánh",
    "Lộc",
    "Tâm",
    "Thành",
)
FEMALE_GIVEN = (
    "Anh",
    "Châu",
    "Diễm",
    "Hà",
    "Hằng",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "My",
    "Nga",
    "Nhung",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Tuyết",
    "Vân",
    "Yến",
    "Hoài",
    "Ngân",
    "Thư",
    "Uyên",
    "Hạnh",
)
# Mobile prefixes in use in Việt Nam (Viettel, VinaPhone, MobiFone).
MOBILE_PREFIXES = (
    "0905",
    "0935",
    "0914",
    "0942",
    "0983",
    "0988",
    "0969",
    "0396",
    "0378",
    "0773",
    "0842",
)

# --- What citizens write ----------------------------------------------------------------

ENDINGS = (
    " Mong cơ quan chức năng xử lý.",
    " Đề nghị cơ quan chức năng sớm kiểm tra, xử lý.",
    " Rất mong được quan tâm giải quyết.",
    " Xin cảm ơn!",
    "",
    " Đề nghị xử lý sớm.",
)

# category code → cases: (what the citizen writes, fixed answers, what the unit may answer).
# Each result fits its own complaint, so a report and its result read as one story.
DESCRIPTIONS: dict[str, tuple[tuple[str, dict, tuple[str, ...]], ...]] = {
    "chieu-sang": (
        (
            "Điện đường {place} bị hỏng mấy đêm nay, cả đoạn tối om, đi lại rất nguy hiểm.",
            {"tinh-trang": "off"},
            (
                "điện đường bị hỏng {place} đã được thay thế, sửa chữa.",
                "đơn vị đã thay bóng đèn LED mới, đèn chiếu sáng {place} đã hoạt động bình thường.",
            ),
        ),
        (
            "Cả dãy đèn đường {place} không sáng từ tối hôm qua, học sinh đi học thêm về rất sợ.",
            {"tinh-trang": "off"},
            (
                "đơn vị đã sửa chữa đường dây cấp nguồn và tủ điều khiển, hệ thống chiếu sáng {place} "
                "hoạt động trở lại.",
            ),
        ),
        (
            "Bóng đèn chiếu sáng {place} chập chờn, lúc sáng lúc tắt, đề nghị kiểm tra sửa chữa.",
            {"tinh-trang": "flicker"},
            ("đơn vị đã thay bộ điện và bóng đèn {place}, đèn đã sáng ổn định.",),
        ),
        (
            "Đèn chiếu sáng {place} vẫn sáng cả ban ngày, gây lãng phí điện.",
            {"tinh-trang": "daytime"},
            (
                "đơn vị đã kiểm tra và cài đặt lại thời gian bật, tắt của tủ điều khiển chiếu sáng {place}.",
            ),
        ),
        (
            "Đèn đường {place} tắt từ khoảng 21 giờ, đoạn này gần bờ sông rất tối.",
            {"tinh-trang": "off"},
            ("đơn vị đã điều chỉnh chế độ vận hành, đèn chiếu sáng {place} sáng suốt đêm.",),
        ),
    ),
    "rac-thai": (
        (
            "Rác thải tập kết {place} mấy ngày nay không được thu gom, bốc mùi hôi thối.",
            {"loai-rac": ["household"]},
            (
                "đơn vị đã bố trí xe thu gom toàn bộ rác tồn đọng {place} và vệ sinh khu vực.",
                "đã thu gom rác {place}; đồng thời tăng tần suất thu gom tại điểm này.",
            ),
        ),
        (
            "Có người đổ trộm xà bần {place}, lấn ra cả lòng đường.",
            {"loai-rac": ["construction"]},
            (
                "đã thu gom, vận chuyển toàn bộ xà bần {place} và phối hợp với địa phương theo dõi, xử lý "
                "đối tượng đổ trộm.",
            ),
        ),
        (
            "Thùng rác công cộng {place} bị đầy tràn, rác vương vãi khắp vỉa hè.",
            {"loai-rac": ["household"]},
            ("đã thu gom rác, vệ sinh và bổ sung thêm thùng rác công cộng {place}.",),
        ),
        (
            "Có xác chó chết {place} từ sáng đến giờ chưa ai dọn, ruồi bu rất mất vệ sinh.",
            {"loai-rac": ["dead-animal"]},
            ("đã thu gom, xử lý xác động vật và khử khuẩn khu vực {place}.",),
        ),
        (
            "Nệm cũ, tủ hỏng bị vứt {place}, chiếm hết lối đi.",
            {"loai-rac": ["bulky"]},
            ("đã bố trí xe thu gom đồ cồng kềnh {place}, trả lại lối đi.",),
        ),
    ),
    "lan-chiem-via-he": (
        (
            "Quán cà phê {place} bày bàn ghế kín vỉa hè, người đi bộ phải xuống lòng đường.",
            {},
            (
                "tổ trật tự đô thị đã kiểm tra, nhắc nhở và yêu cầu quán cà phê {place} dọn bàn ghế, trả "
                "lại vỉa hè.",
                "đã lập biên bản vi phạm hành chính đối với hộ kinh doanh lấn chiếm vỉa hè {place}.",
            ),
        ),
        (
            "Hàng quán {place} lấn chiếm vỉa hè và một phần lòng đường vào buổi tối, gây ùn tắc.",
            {},
            (
                "tổ trật tự đô thị đã ra quân xử lý, yêu cầu các hộ kinh doanh {place} trả lại vỉa hè và "
                "lòng đường.",
            ),
        ),
        (
            "Xe máy để tràn lan {place}, không còn lối đi cho người đi bộ.",
            {},
            (
                "đã nhắc nhở các hộ kinh doanh {place} sắp xếp xe gọn gàng, chừa lối đi cho người đi bộ.",
            ),
        ),
        (
            "Hộ kinh doanh {place} dựng mái che kiên cố lấn ra vỉa hè.",
            {},
            ("đã yêu cầu hộ kinh doanh {place} tự tháo dỡ mái che lấn chiếm; hộ đã chấp hành.",),
        ),
    ),
    "hu-hong-duong": (
        (
            "Mặt đường {place} có ổ gà lớn, trời mưa đọng nước, xe máy đã ngã mấy lần.",
            {"kich-thuoc": "large"},
            ("đơn vị đã vá ổ gà, thảm lại mặt đường {place}.",),
        ),
        (
            "Vỉa hè {place} bị sụt lún, gạch bong tróc, người già đi rất dễ vấp ngã.",
            {},
            ("đã lát lại vỉa hè bị sụt lún {place}, bảo đảm an toàn cho người đi bộ.",),
        ),
        (
            "Mặt đường {place} xuất hiện nhiều ổ gà nhỏ sau đợt mưa vừa rồi.",
            {"kich-thuoc": "small"},
            ("đã vá các ổ gà trên mặt đường {place}.",),
        ),
        (
            "Nắp hố ga {place} bị vỡ, hở một lỗ lớn giữa đường rất nguy hiểm.",
            {"kich-thuoc": "medium"},
            ("đã rào chắn cảnh báo và thay nắp hố ga mới {place}.",),
        ),
    ),
    "cay-xanh": (
        (
            "Cây xanh {place} bị nghiêng sau trận mưa gió, có nguy cơ đổ vào nhà dân.",
            {"nguy-co": ["leaning"]},
            ("đơn vị đã hạ tán, chằng chống gia cố cây {place}, bảo đảm an toàn.",),
        ),
        (
            "Cành cây khô {place} sắp gãy, ngay phía trên lối đi của học sinh.",
            {"nguy-co": ["dead-branch"]},
            ("đã cắt bỏ cành khô, cắt tỉa tán cây {place}.",),
        ),
        (
            "Cây {place} mọc chạm vào đường dây điện, khi có gió thì tóe lửa.",
            {"nguy-co": ["power-line"]},
            ("đã phối hợp với điện lực cắt điện và cắt tỉa cành cây chạm dây điện {place}.",),
        ),
        (
            "Cây đổ chắn ngang đường {place} sau cơn giông chiều nay.",
            {"nguy-co": ["leaning"]},
            ("đã xử lý cây đổ, dọn dẹp và thông tuyến đường {place}.",),
        ),
        (
            "Tán cây {place} che khuất đèn đường và biển báo, đề nghị cắt tỉa.",
            {"nguy-co": ["blocking"]},
            ("đã cắt tỉa tán cây {place}, đèn đường và biển báo không còn bị che khuất.",),
        ),
    ),
    "ngap-ung": (
        (
            "Mưa lớn từ đêm qua, khu vực {place} ngập sâu, xe máy chết máy hàng loạt.",
            {"do-sau": 40, "nuoc-rut": "no"},
            ("đã bố trí máy bơm tiêu úng và khơi thông cửa thu nước, nước ngập {place} đã rút.",),
        ),
        (
            "Chỉ mưa một lúc là {place} ngập, nước tràn vào nhà dân.",
            {"do-sau": 25, "nuoc-rut": "slow"},
            (
                "đã nạo vét tuyến cống; về lâu dài, tuyến thoát nước {place} được đưa vào kế hoạch cải tạo.",
            ),
        ),
        (
            "Nước ngập {place} đã hai ngày chưa rút, học sinh không thể đến trường.",
            {"do-sau": 60},
            (
                "đã bơm tiêu thoát nước và phối hợp với địa phương hỗ trợ người dân {place}; nước đã rút.",
            ),
        ),
        (
            "Khu vực {place} ngập cục bộ do cống bị tắc, nước rút rất chậm.",
            {"do-sau": 20, "nuoc-rut": "slow"},
            ("đã khơi thông cống bị tắc, nước ngập {place} đã rút.",),
        ),
    ),
    "cong-thoat-nuoc": (
        (
            "Hố ga {place} bị tắc, nước thải tràn lên mặt đường bốc mùi.",
            {},
            ("đơn vị đã nạo vét, khơi thông hố ga và tuyến cống {place}.",),
        ),
        (
            "Nắp cống {place} bị mất, rất nguy hiểm cho người đi đường vào ban đêm.",
            {},
            ("đã lắp đặt nắp cống mới {place}.",),
        ),
        (
            "Mương thoát nước {place} đầy rác và bùn, lâu ngày không được nạo vét.",
            {},
            ("đã nạo vét bùn, vớt rác mương thoát nước {place}.",),
        ),
    ),
    "cap-nuoc": (
        (
            "Đường ống nước {place} bị vỡ, nước chảy lênh láng từ sáng.",
            {"su-co": "burst-pipe"},
            ("đã khắc phục điểm vỡ đường ống {place}, việc cấp nước đã trở lại bình thường.",),
        ),
        (
            "Khu vực {place} mất nước từ hôm qua mà không có thông báo.",
            {"su-co": "no-water"},
            (
                "sự cố do sửa chữa tuyến ống chính; việc cấp nước {place} đã được khôi phục. Xin lỗi quý "
                "khách vì chưa thông báo kịp thời.",
            ),
        ),
        (
            "Nước máy {place} yếu, tầng hai không có nước dùng.",
            {"su-co": "low-pressure"},
            ("đã điều chỉnh áp lực mạng lưới, nước máy {place} đã đủ áp.",),
        ),
        (
            "Nước máy {place} đục và có mùi lạ mấy ngày nay.",
            {"su-co": "dirty"},
            ("đã súc xả đường ống và lấy mẫu kiểm tra, chất lượng nước {place} đạt quy chuẩn.",),
        ),
    ),
    "dien": (
        (
            "Dây điện {place} bị võng thấp, xe tải đi qua có thể vướng.",
            {"su-co": "sagging-wire"},
            ("đã căng chỉnh lại dây dẫn {place}, bảo đảm khoảng cách an toàn.",),
        ),
        (
            "Khu vực {place} mất điện từ chiều đến giờ.",
            {"su-co": "outage"},
            ("đã xử lý sự cố và khôi phục cấp điện {place}.",),
        ),
        (
            "Cột điện {place} bị nghiêng sau mưa bão, có nguy cơ đổ.",
            {"su-co": "leaning-pole"},
            ("đã dựng lại và gia cố móng cột điện {place}.",),
        ),
    ),
    "bien-bao-den-tin-hieu": (
        (
            "Đèn tín hiệu giao thông {place} bị hỏng, xe cộ đi lộn xộn.",
            {},
            ("đã sửa chữa đèn tín hiệu giao thông {place}, hoạt động bình thường.",),
        ),
        (
            "Biển báo {place} bị cây che khuất, tài xế không nhìn thấy.",
            {},
            ("đã phối hợp cắt tỉa cây, biển báo {place} không còn bị che khuất.",),
        ),
        (
            "Biển báo cấm đỗ {place} bị gãy đổ nằm trên vỉa hè.",
            {},
            ("đã dựng lại biển báo cấm đỗ {place}.",),
        ),
        (
            "Đèn đỏ {place} có thời gian chờ quá lâu, gây ùn tắc giờ cao điểm.",
            {},
            ("đã điều chỉnh lại chu kỳ đèn tín hiệu {place} phù hợp lưu lượng giờ cao điểm.",),
        ),
    ),
    "trat-tu-xay-dung": (
        (
            "Công trình {place} xây dựng lấn ra phần đất công, đề nghị kiểm tra giấy phép.",
            {"loai": "no-permit"},
            ("đã kiểm tra, lập biên bản và đình chỉ thi công công trình vi phạm {place}.",),
        ),
        (
            "Nhà đang xây {place} để vật liệu tràn ra đường, gây bụi và cản trở giao thông.",
            {"loai": "materials"},
            (
                "đã yêu cầu chủ công trình {place} dọn vật liệu, che chắn công trình; chủ công trình đã "
                "chấp hành.",
            ),
        ),
        (
            "Công trình {place} thi công cả vào buổi tối, không che chắn, bụi bay vào nhà dân.",
            {"loai": "dust"},
            ("đã nhắc nhở chủ công trình {place} che chắn, không thi công sau 22 giờ.",),
        ),
        (
            "Hộ dân {place} xây thêm tầng không đúng giấy phép.",
            {"loai": "wrong-permit"},
            ("đã lập biên bản vi phạm, yêu cầu hộ dân {place} tự khắc phục phần xây sai phép.",),
        ),
    ),
    "tieng-on": (
        (
            "Quán karaoke {place} hát đến hơn 23 giờ đêm, ảnh hưởng giấc ngủ người dân.",
            {"khung-gio": "night"},
            ("công an phường đã kiểm tra, xử phạt vi phạm hành chính quán karaoke {place}.",),
        ),
        (
            "Loa kẹo kéo {place} mở rất to mỗi tối, người già và trẻ nhỏ không nghỉ ngơi được.",
            {"khung-gio": "evening"},
            (
                "công an phường đã làm việc, yêu cầu các hộ {place} cam kết không gây ồn sau 22 giờ.",
            ),
        ),
        (
            "Xưởng cơ khí {place} hoạt động gây tiếng ồn lớn suốt cả ngày.",
            {"khung-gio": "day"},
            ("đã kiểm tra, yêu cầu xưởng cơ khí {place} có biện pháp giảm tiếng ồn.",),
        ),
    ),
    "an-ninh-trat-tu": (
        (
            "Nhóm thanh niên tụ tập đua xe {place} vào ban đêm, gây mất an ninh trật tự.",
            {},
            ("đã tăng cường tuần tra, kiểm soát khu vực {place} vào ban đêm.",),
        ),
        (
            "Thường xuyên có đối tượng lạ lảng vảng {place}, nhiều nhà bị mất trộm xe đạp.",
            {},
            (
                "đã xác minh, tăng cường tuần tra và tuyên truyền người dân {place} nâng cao cảnh giác.",
            ),
        ),
        (
            "Có người say rượu gây gổ {place}, đề nghị lực lượng chức năng kiểm tra.",
            {},
            ("công an phường đã có mặt, xử lý đối tượng gây rối {place} theo quy định.",),
        ),
    ),
    "vien-thong": (
        (
            "Cáp viễn thông {place} bị đứt, buông thõng xuống lòng đường.",
            {},
            ("đã thu hồi đoạn cáp đứt, kéo lại tuyến cáp {place}.",),
        ),
        (
            "Dây cáp {place} chằng chịt, võng thấp, mất mỹ quan đô thị.",
            {},
            ("đã chỉnh trang, bó gọn tuyến cáp viễn thông {place}.",),
        ),
        (
            "Tủ cáp {place} bị mở cửa, dây điện lộ ra ngoài rất nguy hiểm.",
            {},
            ("đã thay cửa và khóa tủ cáp {place}, bảo đảm an toàn.",),
        ),
    ),
    "quang-cao": (
        (
            "Tờ rơi quảng cáo khoan cắt bê tông dán đầy cột điện {place}.",
            {},
            ("đã bóc xóa quảng cáo rao vặt trái phép {place}.",),
        ),
        (
            "Băng rôn quảng cáo treo trái phép {place}, che cả biển báo giao thông.",
            {},
            ("đã tháo dỡ băng rôn quảng cáo treo trái phép {place}.",),
        ),
        (
            "Biển quảng cáo {place} bị gió làm bung, có nguy cơ rơi xuống đường.",
            {},
            ("đã yêu cầu chủ biển quảng cáo {place} tháo dỡ, gia cố lại.",),
        ),
    ),
    "khong-khi": (
        (
            "Có người đốt rác {place} mỗi chiều, khói bay vào nhà dân rất khó chịu.",
            {},
            ("đã kiểm tra, nhắc nhở và xử phạt hành vi đốt rác {place}.",),
        ),
        (
            "Xưởng sản xuất {place} thải khói bụi và mùi hắc, người dân phải đóng kín cửa.",
            {},
            ("đã kiểm tra cơ sở sản xuất {place}, yêu cầu lắp đặt thiết bị xử lý khí thải.",),
        ),
    ),
    "dong-vat": (
        (
            "Chó thả rông không rọ mõm {place}, đã cắn một cháu nhỏ.",
            {},
            (
                "đã phối hợp với chính quyền địa phương xử phạt chủ nuôi, yêu cầu không thả rông chó {place}.",
            ),
        ),
        (
            "Trâu bò thả rông {place}, đi lại trên đường rất nguy hiểm.",
            {},
            ("đã nhắc nhở, yêu cầu các hộ chăn nuôi {place} không thả rông gia súc.",),
        ),
        (
            "Nhiều chó mèo hoang {place} lục thùng rác, sủa cả đêm.",
            {},
            ("đã tổ chức bắt giữ chó mèo hoang {place}, đưa về nơi quy định.",),
        ),
    ),
    "an-toan-thuc-pham": (
        (
            "Quán ăn {place} chế biến thực phẩm ngay trên vỉa hè, không bảo đảm vệ sinh.",
            {},
            ("đoàn kiểm tra đã làm việc với quán ăn {place}, xử phạt và yêu cầu khắc phục.",),
        ),
        (
            "Cửa hàng {place} bán bánh kẹo không rõ nguồn gốc cho học sinh.",
            {},
            ("đã kiểm tra, tạm giữ hàng hóa không rõ nguồn gốc tại cửa hàng {place}.",),
        ),
        (
            "Sau khi ăn tại quán {place}, cả nhà tôi bị đau bụng, đề nghị kiểm tra.",
            {},
            ("đã lấy mẫu kiểm nghiệm và xử lý cơ sở kinh doanh {place} theo quy định.",),
        ),
    ),
    "di-tich": (
        (
            "Tường thành {place} có nhiều cây dại mọc, gây nứt tường.",
            {},
            ("đã phát quang cây dại và đưa đoạn tường thành {place} vào kế hoạch tu bổ.",),
        ),
        (
            "Có người vẽ bậy lên di tích {place}.",
            {},
            ("đã làm sạch, phục hồi bề mặt di tích {place} và tăng cường bảo vệ.",),
        ),
        (
            "Khu vực lăng mộ cổ {place} bị xâm hại, đổ rác.",
            {},
            ("đã dọn vệ sinh khu vực lăng mộ {place} và cắm biển cấm đổ rác.",),
        ),
    ),
    "du-lich": (
        (
            "Xe xích lô {place} chèo kéo, nói thách du khách.",
            {},
            ("đã phối hợp kiểm tra, xử lý tình trạng chèo kéo du khách {place}.",),
        ),
        (
            "Bãi giữ xe {place} thu phí du khách cao hơn quy định.",
            {},
            ("đã kiểm tra, xử phạt bãi giữ xe {place} thu phí sai quy định.",),
        ),
        (
            "Biển chỉ dẫn du lịch {place} bị mờ, sai thông tin.",
            {},
            ("đã thay mới biển chỉ dẫn du lịch {place}.",),
        ),
    ),
    "y-te": (
        (
            "Nhà thuốc {place} bán thuốc kê đơn mà không cần đơn.",
            {},
            ("đã kiểm tra, xử phạt nhà thuốc {place} theo quy định.",),
        ),
        (
            "Khu vực {place} có nhiều ca sốt xuất huyết, đề nghị phun thuốc diệt muỗi.",
            {},
            ("đã tổ chức phun hóa chất diệt muỗi tại khu vực {place}.",),
        ),
    ),
    "giao-duc": (
        (
            "Cổng trường học {place} giờ tan học ùn tắc nghiêm trọng, phụ huynh dừng đỗ tràn lan.",
            {},
            ("nhà trường đã phối hợp với công an phường phân luồng giờ tan học {place}.",),
        ),
        (
            "Cơ sở dạy thêm {place} hoạt động không phép, quá đông học sinh.",
            {},
            ("đã kiểm tra, yêu cầu cơ sở dạy thêm {place} dừng hoạt động đến khi được cấp phép.",),
        ),
    ),
    "dich-vu-cong": (
        (
            "Tôi nộp hồ sơ trực tuyến đã quá hạn hẹn trả kết quả nhưng chưa nhận được phản hồi.",
            {},
            ("hồ sơ của ông, bà đã được giải quyết, kết quả đã gửi qua Cổng dịch vụ công.",),
        ),
        (
            "Cổng dịch vụ công báo lỗi khi thanh toán lệ phí, tôi đã thử nhiều lần không được.",
            {},
            ("lỗi thanh toán đã được khắc phục; đề nghị ông, bà thực hiện lại.",),
        ),
    ),
    "xe-bo-hoang": (
        (
            "Một chiếc xe máy cũ bị bỏ {place} hơn một tháng nay, không ai đến lấy.",
            {"so-ngay": 30},
            ("đã thông báo tìm chủ sở hữu và tạm giữ xe máy bỏ hoang {place}.",),
        ),
        (
            "Xe ô tô hỏng đậu {place} nhiều tuần, chiếm chỗ và đọng rác.",
            {"so-ngay": 21},
            ("đã liên hệ chủ xe, yêu cầu di dời xe ô tô {place}; chủ xe đã chấp hành.",),
        ),
    ),
    "khac": (
        (
            "Ghế đá công viên {place} bị gãy, đề nghị thay mới.",
            {},
            ("đã thay mới ghế đá công viên {place}.",),
        ),
        (
            "Nhà chờ xe buýt {place} bị dột, mái tôn bong tróc.",
            {},
            ("đã sửa chữa mái nhà chờ xe buýt {place}.",),
        ),
        (
            "Bờ kè {place} có dấu hiệu sạt lở sau mưa lũ.",
            {},
            ("đã cắm biển cảnh báo và đưa đoạn kè {place} vào kế hoạch gia cố.",),
        ),
    ),
}

# Texts that end up rejected, by reason.
REJECTED_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "spam": ("test", "Dịch vụ cho vay tiền nhanh, lãi suất thấp, liên hệ Zalo.", "aaaaa"),
    "out_of_scope": (
        "Tranh chấp lối đi chung với hộ bên cạnh, đề nghị giải quyết.",
        "Xin hỏi thủ tục cấp đổi giấy phép lái xe mất bao lâu?",
        "Hàng xóm nợ tiền không trả, đề nghị cơ quan chức năng can thiệp.",
    ),
    "not_enough_info": ("Đường hư quá.", "Chỗ này rác nhiều lắm.", "Đèn không sáng."),
    "other": ("Phản ánh trùng nội dung đã được trả lời trước đây.",),
}
REJECT_NOTES: dict[str, str] = {
    "spam": "Nội dung không phải phản ánh hiện trường.",
    "out_of_scope": "Nội dung thuộc quan hệ dân sự, không thuộc phạm vi tiếp nhận của Hue-S; đề nghị công dân "
    "liên hệ UBND phường, xã nơi cư trú để được hướng dẫn.",
    "not_enough_info": "Phản ánh chưa rõ vị trí và nội dung; đề nghị công dân bổ sung địa chỉ cụ thể, hình ảnh "
    "và gửi lại.",
    "other": "Nội dung đã được trả lời tại phản ánh trước đây.",
}

# --- What units answer --------------------------------------------------------------------

RESULT_PREFIXES = (
    "Vấn đề quý ông, bà phản ánh, {unit} xin thông báo kết quả như sau: ",
    "{unit} đã tiếp nhận phản ánh và xử lý như sau: ",
    "",
)
ROUTE_NOTES = (
    "",
    "",
    "",
    "Đề nghị đơn vị kiểm tra, xử lý theo thẩm quyền.",
    "Chuyển đơn vị xử lý theo thẩm quyền.",
)
ACCEPT_NOTES = (
    "",
    "",
    "Đơn vị đã tiếp nhận và cử cán bộ kiểm tra hiện trường.",
    "Đã giao tổ kỹ thuật khu vực.",
)
INTERNAL_NOTES = (
    "Đã giao tổ kỹ thuật khu vực kiểm tra hiện trường.",
    "Đã liên hệ công dân qua điện thoại để xác minh vị trí.",
    "Chờ vật tư thay thế, dự kiến xử lý trong tuần.",
    "Phối hợp với UBND phường để xử lý dứt điểm.",
)
ASK_INFO = (
    "Đề nghị công dân cung cấp thêm số nhà hoặc vị trí cụ thể để đơn vị kiểm tra.",
    "Đề nghị bổ sung hình ảnh hiện trường.",
    "Đề nghị cho biết thời điểm thường xảy ra sự việc.",
)
ANSWERS = (
    "Vị trí ở ngay trước quán cà phê, đối diện trường tiểu học.",
    "Tôi đã gửi thêm ảnh, sự việc thường xảy ra vào buổi tối.",
    "Ở đầu kiệt, cạnh cột điện có dán số nhà.",
)
EXTENSION_REASONS = (
    "Cần chờ vật tư thay thế.",
    "Phải phối hợp với điện lực cắt điện để thi công.",
    "Khối lượng lớn, cần bố trí xe chuyên dụng.",
    "Mưa lớn kéo dài, chưa thể thi công.",
)
EXTENSION_DECISIONS = (
    "Đồng ý gia hạn.",
    "Đồng ý, đề nghị đơn vị xử lý dứt điểm trong thời gian gia hạn.",
    "",
)
RESULT_SENT_BACK = (
    "Kết quả chưa có hình ảnh sau khi xử lý, đề nghị bổ sung.",
    "Đề nghị ghi rõ biện pháp xử lý và thời gian hoàn thành.",
)
RETURN_REASON = "Nội dung phản ánh không thuộc thẩm quyền của đơn vị, đề nghị IOC chuyển {unit}."
RETURN_REASON_LOCAL = (
    "Vị trí phản ánh không thuộc phạm vi đơn vị quản lý (tuyến do địa phương quản lý), "
    "đề nghị IOC chuyển đơn vị phù hợp."
)
MERGE_NOTE = "Trùng với phản ánh {ref} cùng vị trí, cùng nội dung."
RATING_COMMENTS: dict[int, tuple[str, ...]] = {
    5: (
        "Cảm ơn đơn vị đã xử lý rất nhanh!",
        "Rất hài lòng.",
        "",
        "",
        "Cảm ơn Hue-S và đơn vị xử lý.",
    ),
    4: ("Đã xử lý, cảm ơn.", "", "Xử lý tốt nhưng hơi chậm."),
    3: ("Tạm được, nhưng mất khá nhiều thời gian.", ""),
    2: ("Xử lý chưa triệt để.", "Chỉ được vài hôm lại như cũ."),
    1: ("Thực tế chưa xử lý, kết quả báo không đúng.", "Không hài lòng."),
}
DISPUTE_REASONS = (
    "Thực tế hiện trường chưa được xử lý như kết quả báo.",
    "Chỉ được hai hôm rồi lại như cũ, đề nghị kiểm tra lại.",
    "Kết quả xử lý không đúng với nội dung tôi phản ánh.",
)
REOPEN_NOTES = (
    "IOC đề nghị đơn vị kiểm tra, xử lý lại.",
    "Đồng ý với phản hồi của công dân, chuyển đơn vị xử lý lại.",
)
DENY_NOTES = (
    "Kết quả đã được xác minh tại hiện trường, đơn vị đã xử lý đúng quy định.",
    "Sự việc mới phát sinh sau khi xử lý; đề nghị công dân gửi phản ánh mới.",
)
PRIORITY_NOTES = ("Ảnh hưởng an toàn người dân, đề nghị ưu tiên.", "Nhiều người dân phản ánh.", "")
