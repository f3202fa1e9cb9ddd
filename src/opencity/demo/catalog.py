"""Demo data: the super app's home of services and the city's news.

Over fifty services with the names Huế's citizens know from Hue-S: the city's own modules (field
reports, warnings, SOS, shelters, water levels, air quality…), named by their URL names, and
the external services — the public-services portal, Điện lực Huế, HueWACO, HEPCO, the hospitals,
schools, heritage sites — with placeholder addresses on the reserved ``.example`` domain (RFC
2606: nothing is ever called). A dozen news items in Vietnamese, the important ones marked as
already announced (history: loading the demo notifies nobody).

Idempotent: services by code and news by title are created only when missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from opencity.accounts.models import User
from opencity.catalog.models import (
    Audience,
    NewsCategory,
    NewsItem,
    NewsStatus,
    Service,
    ServiceGroup,
    ServiceKind,
    ServiceOpen,
)

PORTAL = "dichvucong-hue"  # the public-services portal's client at the city's identity provider
HOSPITAL = "bvtw-hue"

GROUPS = [
    # code-ish key, Vietnamese, English, icon
    ("hanh-chinh", "Hành chính công", "Public administration", "landmark"),
    ("phan-anh", "Phản ánh – Cảnh báo", "Reports and warnings", "megaphone"),
    ("tien-ich", "Tiện ích: điện, nước, môi trường", "Utilities: power, water, environment", "plug"),
    ("y-te", "Y tế", "Health", "heart-pulse"),
    ("giao-duc", "Giáo dục", "Education", "graduation-cap"),
    ("du-lich", "Du lịch – Di sản", "Tourism and heritage", "compass"),
    ("giao-thong", "Giao thông", "Transport", "bus"),
    ("viec-lam", "Việc làm – An sinh xã hội", "Jobs and social security", "briefcase"),
]


@dataclass(frozen=True)
class Row:
    group: str
    code: str
    name: str
    name_en: str
    icon: str
    description: str
    target: str  # a URL name (internal) or an https address (external)
    keywords: str = ""
    client_id: str = ""
    audience: str = Audience.EVERYONE

    @property
    def external(self) -> bool:
        return self.target.startswith("https://")


def _portal(path: str) -> str:
    return f"https://dichvucong.hue.example/{path}"


SERVICES = [
    # Phản ánh – Cảnh báo: the city's own modules
    Row("phan-anh", "phan-anh-hien-truong", "Phản ánh hiện trường", "Field reports", "camera",
        "Gửi ảnh và vị trí sự cố: đèn đường hỏng, ngập, rác, lấn chiếm vỉa hè.", "reports:new",
        "phan anh, gop y, su co, den duong, ngap"),
    Row("phan-anh", "tra-cuu-phan-anh", "Tra cứu phản ánh", "Look up a report", "file-search",
        "Nhập mã phản ánh (PA…) để xem kết quả xử lý.", "reports:lookup", "ma phan anh, ket qua"),
    Row("phan-anh", "ban-do-phan-anh", "Bản đồ phản ánh", "Map of reports", "map",
        "Các phản ánh quanh bạn trên bản đồ.", "reports:map"),
    Row("phan-anh", "phan-anh-cong-khai", "Phản ánh đã công khai", "Public reports", "list",
        "Danh sách phản ánh và kết quả xử lý của các đơn vị.", "reports:list"),
    Row("phan-anh", "phan-anh-cua-toi", "Phản ánh của tôi", "My reports", "file-text",
        "Theo dõi các phản ánh bạn đã gửi, đánh giá kết quả.", "reports:mine", audience=Audience.CITIZENS),
    Row("phan-anh", "canh-bao-thien-tai", "Cảnh báo thiên tai", "Disaster warnings", "triangle-alert",
        "Cảnh báo bão, lũ, sạt lở đang có hiệu lực tại nơi bạn ở.", "alerts:list", "bao, lu, lut, sat lo, mua"),
    Row("phan-anh", "canh-bao-da-qua", "Cảnh báo đã qua", "Past warnings", "history",
        "Lưu trữ các bản tin cảnh báo đã hết hiệu lực.", "alerts:archive"),
    Row("phan-anh", "sos-cuu-ho", "SOS cứu hộ", "SOS rescue", "siren",
        "Gọi cứu hộ khi nguy hiểm đến tính mạng: ngập sâu, bão, sạt lở.", "emergency:new",
        "cuu ho, cuu nan, khan cap, 112, 114"),
    Row("phan-anh", "diem-so-tan", "Điểm sơ tán", "Evacuation points", "tent",
        "Nhà văn hóa, trường học, nhà cao tầng đang mở để tránh trú, còn bao nhiêu chỗ.",
        "incidents:shelters_public", "tranh tru, so tan, nha van hoa"),
    Row("phan-anh", "muc-nuoc-song", "Mực nước sông", "River levels", "waves",
        "Mực nước sông Hương, sông Bồ so với các mức báo động.", "monitoring_public:water_levels",
        "song huong, song bo, bao dong, lu"),
    Row("phan-anh", "chat-luong-khong-khi", "Chất lượng không khí", "Air quality", "wind",
        "Chỉ số VN_AQI tại các trạm quan trắc.", "monitoring_public:air_quality", "aqi, bui, o nhiem"),
    Row("phan-anh", "thong-ke-xu-ly", "Thống kê xử lý phản ánh", "Report statistics", "chart-pie",
        "Tỷ lệ xử lý, đúng hạn và hài lòng của từng đơn vị.", "ioc:statistics"),
    Row("phan-anh", "du-lieu-mo", "Dữ liệu mở", "Open data", "database",
        "Tải dữ liệu phản ánh công khai (CSV, GeoJSON).", "opendata:index"),
    Row("phan-anh", "tin-tuc", "Tin tức – Thông báo", "News and notices", "newspaper",
        "Tin tức, thông báo của chính quyền thành phố.", "catalog:news_list", "thong bao, tin tuc"),
    Row("phan-anh", "thong-bao-cua-toi", "Thông báo của tôi", "My notifications", "bell",
        "Các thông báo gửi đến tài khoản của bạn.", "notifications:inbox", audience=Audience.CITIZENS),
    Row("phan-anh", "tai-khoan", "Tài khoản công dân", "My account", "circle-user",
        "Thông tin cá nhân, phường nơi ở, bảo mật tài khoản.", "accounts:profile", audience=Audience.CITIZENS),
    # Hành chính công
    Row("hanh-chinh", "dich-vu-cong", "Dịch vụ công trực tuyến", "Online public services", "landmark",
        "Cổng dịch vụ công thành phố Huế: nộp hồ sơ thủ tục hành chính trực tuyến, đăng nhập bằng tài khoản Hue-S.",
        _portal(""), "thu tuc, ho so, nop ho so, mot cua", PORTAL),
    Row("hanh-chinh", "tra-cuu-ho-so", "Tra cứu hồ sơ", "Dossier status", "file-search",
        "Tình trạng hồ sơ thủ tục hành chính đã nộp (một cửa): nhập mã hồ sơ và 4 số cuối điện thoại.",
        "dossiers_public:lookup", "mot cua, tien do ho so, bien nhan"),
    Row("hanh-chinh", "dat-lich-hanh-chinh", "Đặt lịch làm thủ tục", "Book an appointment", "calendar-check",
        "Đặt lịch hẹn tại Trung tâm Phục vụ hành chính công thành phố.", _portal("dat-lich"), "lich hen", PORTAL),
    Row("hanh-chinh", "ho-tich", "Đăng ký hộ tịch", "Civil registration", "book-user",
        "Khai sinh, kết hôn, khai tử, trích lục hộ tịch trực tuyến.", _portal("ho-tich"),
        "khai sinh, ket hon, khai tu, trich luc", PORTAL),
    Row("hanh-chinh", "dat-dai-quy-hoach", "Tra cứu đất đai – Quy hoạch", "Land and zoning", "map-pinned",
        "Thông tin quy hoạch, thửa đất, giá đất trên bản đồ.", "https://quyhoach.hue.example/",
        "so do, thua dat, gia dat, quy hoach"),
    Row("hanh-chinh", "cap-phep-xay-dung", "Cấp phép xây dựng", "Building permits", "hard-hat",
        "Nộp hồ sơ và tra cứu giấy phép xây dựng nhà ở riêng lẻ.", _portal("cap-phep-xay-dung"),
        "giay phep xay dung, sua nha", PORTAL),
    Row("hanh-chinh", "dang-ky-kinh-doanh", "Đăng ký kinh doanh", "Business registration", "store",
        "Đăng ký hộ kinh doanh, doanh nghiệp; tra cứu thông tin đăng ký.", _portal("dang-ky-kinh-doanh"),
        "ho kinh doanh, doanh nghiep, giay phep kinh doanh", PORTAL, Audience.BUSINESSES),
    Row("hanh-chinh", "thue-dien-tu", "Thuế điện tử", "e-Tax", "receipt",
        "Khai, nộp thuế và tra cứu nghĩa vụ thuế trực tuyến.", "https://thuedientu.example/",
        "thue, nop thue, eTax, hoa don"),
    Row("hanh-chinh", "bao-hiem-xa-hoi", "Bảo hiểm xã hội", "Social insurance", "shield-check",
        "Tra cứu quá trình đóng bảo hiểm xã hội, thẻ bảo hiểm y tế.", "https://baohiemxahoi.example/tra-cuu",
        "bhxh, bhyt, bao hiem y te, VssID"),
    Row("hanh-chinh", "van-ban-phap-luat", "Văn bản của thành phố", "City documents", "scroll-text",
        "Quyết định, chỉ thị, văn bản quy phạm pháp luật của thành phố.", "https://vanban.hue.example/",
        "quyet dinh, chi thi, cong bao"),
    Row("hanh-chinh", "lay-y-kien", "Lấy ý kiến người dân", "Public consultation", "users",
        "Góp ý dự thảo văn bản, quy hoạch của thành phố.", _portal("lay-y-kien"), "gop y, du thao", PORTAL),
    # Tiện ích
    Row("tien-ich", "dien-luc-hue", "Điện lực Huế", "Huế Power Company", "zap",
        "Hóa đơn tiền điện, chỉ số công tơ, thanh toán trực tuyến.", "https://cskh.dienluchue.example/hoa-don",
        "tien dien, hoa don dien, EVN, cong to"),
    Row("tien-ich", "lich-cat-dien", "Lịch ngừng cấp điện", "Power cut schedule", "calendar-x",
        "Lịch tạm ngừng cung cấp điện theo phường, xã.", "https://cskh.dienluchue.example/lich-ngung-cap-dien",
        "cup dien, mat dien, cat dien"),
    Row("tien-ich", "cap-nuoc-hue", "Cấp nước Huế (HueWACO)", "Huế Water (HueWACO)", "droplet",
        "Hóa đơn tiền nước, đăng ký lắp đặt đồng hồ nước.", "https://khachhang.huewaco.example/hoa-don",
        "tien nuoc, hoa don nuoc, dong ho nuoc"),
    Row("tien-ich", "su-co-nuoc", "Báo sự cố cấp nước", "Water supply faults", "wrench",
        "Báo vỡ ống, mất nước, nước đục cho HueWACO.", "https://khachhang.huewaco.example/bao-su-co",
        "vo ong, mat nuoc, nuoc duc"),
    Row("tien-ich", "moi-truong-hepco", "Môi trường (HEPCO)", "Environment (HEPCO)", "trash-2",
        "Lịch thu gom rác, đăng ký thu gom rác cồng kềnh, phí vệ sinh.", "https://hepco.example/thu-gom",
        "rac, thu gom rac, ve sinh, moi truong"),
    Row("tien-ich", "wifi-cong-cong", "Wi-Fi công cộng", "Public Wi-Fi", "wifi",
        "Các điểm Wi-Fi miễn phí HueCity trong thành phố.", "https://wifi.hue.example/", "wifi, internet"),
    Row("tien-ich", "thanh-toan-truc-tuyen", "Thanh toán trực tuyến", "Online payments", "credit-card",
        "Nộp phí, lệ phí, hóa đơn không dùng tiền mặt.", "https://thanhtoan.hue.example/",
        "thanh toan, le phi, chuyen khoan", PORTAL),
    # Y tế
    Row("y-te", "dat-lich-bvtw-hue", "Đặt lịch khám – Bệnh viện Trung ương Huế", "Appointments: Huế Central Hospital",
        "stethoscope", "Đặt lịch khám bệnh, chọn chuyên khoa và giờ khám.", "https://datlich.bvtwhue.example/",
        "benh vien trung uong, kham benh, dat lich", HOSPITAL),
    Row("y-te", "dat-lich-bv-dhyd", "Đặt lịch khám – Bệnh viện Trường Đại học Y - Dược Huế",
        "Appointments: Huế University Hospital", "hospital", "Đặt lịch khám bệnh trực tuyến.",
        "https://datlich.bvdhydhue.example/", "dai hoc y duoc, kham benh"),
    Row("y-te", "tiem-chung", "Tiêm chủng", "Vaccination", "syringe",
        "Lịch tiêm chủng mở rộng, sổ tiêm chủng điện tử của trẻ.", "https://tiemchung.hue.example/",
        "tiem phong, vac xin, tre em"),
    Row("y-te", "so-suc-khoe", "Sổ sức khỏe điện tử", "Health record", "heart-pulse",
        "Kết quả khám chữa bệnh, đơn thuốc của bạn.", "https://sosuckhoe.example/", "ho so suc khoe"),
    Row("y-te", "nha-thuoc", "Nhà thuốc gần bạn", "Pharmacies", "pill",
        "Nhà thuốc đạt chuẩn và nhà thuốc trực ban đêm.", "https://yte.hue.example/nha-thuoc", "thuoc, nha thuoc"),
    Row("y-te", "cap-cuu-115", "Cấp cứu 115", "Ambulance 115", "ambulance",
        "Trung tâm Cấp cứu 115 Huế: gọi xe cấp cứu.", "https://capcuu115.hue.example/", "cap cuu, xe cuu thuong"),
    # Giáo dục
    Row("giao-duc", "tra-cuu-diem-thi", "Tra cứu điểm thi", "Exam results", "graduation-cap",
        "Điểm thi tuyển sinh lớp 10, tốt nghiệp THPT.", "https://tracuu.sgddt.hue.example/diem-thi",
        "diem thi, thi lop 10, tot nghiep"),
    Row("giao-duc", "tuyen-sinh-dau-cap", "Tuyển sinh đầu cấp", "School enrolment", "school",
        "Đăng ký tuyển sinh trực tuyến mầm non, lớp 1, lớp 6.", "https://tuyensinh.hue.example/",
        "tuyen sinh, lop 1, lop 6, mam non"),
    Row("giao-duc", "so-lien-lac", "Sổ liên lạc điện tử", "School reports", "book-open",
        "Kết quả học tập, nhận xét của giáo viên.", "https://solienlac.hue.example/", "hoc ba, ket qua hoc tap"),
    Row("giao-duc", "hoc-phi", "Nộp học phí", "School fees", "wallet",
        "Nộp học phí, các khoản thu không dùng tiền mặt.", "https://hocphi.hue.example/", "hoc phi"),
    Row("giao-duc", "thu-vien", "Thư viện số", "Digital library", "library",
        "Sách, tài liệu số của Thư viện thành phố Huế.", "https://thuvien.hue.example/", "sach, tai lieu"),
    # Du lịch – Di sản
    Row("du-lich", "hue-di-san", "Huế – Di sản", "Huế heritage", "landmark",
        "Đại Nội, lăng tẩm, vé tham quan các di tích Cố đô Huế.", "https://disan.hue.example/",
        "dai noi, lang tam, di tich, co do", audience=Audience.VISITORS),
    Row("du-lich", "ve-tham-quan", "Vé tham quan di tích", "Heritage tickets", "ticket",
        "Mua vé điện tử tham quan Đại Nội và các lăng.", "https://ve.disan.hue.example/",
        "ve, mua ve, dai noi", audience=Audience.VISITORS),
    Row("du-lich", "thuyet-minh-tu-dong", "Thuyết minh tự động", "Audio guide", "headphones",
        "Nghe thuyết minh tại các điểm di tích bằng nhiều ngôn ngữ.", "https://thuyetminh.disan.hue.example/",
        "audio guide", audience=Audience.VISITORS),
    Row("du-lich", "festival-hue", "Festival Huế – Lịch sự kiện", "Huế Festival events", "calendar-days",
        "Lịch lễ hội, sự kiện văn hóa trong năm.", "https://festival.hue.example/", "le hoi, su kien"),
    Row("du-lich", "luu-tru", "Lưu trú – Khách sạn", "Where to stay", "hotel",
        "Cơ sở lưu trú đạt chuẩn, homestay.", "https://dulich.hue.example/luu-tru", "khach san, homestay",
        audience=Audience.VISITORS),
    Row("du-lich", "am-thuc-hue", "Ẩm thực Huế", "Huế cuisine", "utensils",
        "Quán ăn, đặc sản, chợ đêm.", "https://dulich.hue.example/am-thuc", "quan an, dac san, bun bo"),
    Row("du-lich", "thuyen-song-huong", "Thuyền sông Hương", "Perfume River boats", "ship",
        "Bến thuyền, giá vé du thuyền sông Hương.", "https://dulich.hue.example/thuyen", "thuyen rong, du thuyen"),
    # Giao thông
    Row("giao-thong", "xe-buyt", "Xe buýt Huế", "Huế buses", "bus", "Lộ trình, giờ chạy, xe buýt sắp đến.",
        "https://xebuyt.hue.example/", "xe buyt, tuyen xe"),
    Row("giao-thong", "bai-do-xe", "Bãi đỗ xe", "Car parks", "square-parking",
        "Bãi đỗ xe còn chỗ trống gần bạn.", "https://giaothong.hue.example/bai-do", "do xe, giu xe"),
    Row("giao-thong", "phat-nguoi", "Tra cứu phạt nguội", "Camera fines", "cctv",
        "Tra cứu vi phạm giao thông qua camera theo biển số.", "https://giaothong.hue.example/phat-nguoi",
        "vi pham, bien so, phat nguoi"),
    Row("giao-thong", "xe-dap-cong-cong", "Xe đạp công cộng", "Public bicycles", "bike",
        "Trạm xe đạp công cộng, thuê xe bằng ứng dụng.", "https://xedap.hue.example/", "xe dap"),
    Row("giao-thong", "dang-kiem", "Đặt lịch đăng kiểm", "Vehicle inspection", "car",
        "Đặt lịch kiểm định xe cơ giới.", "https://dangkiem.example/dat-lich", "dang kiem, kiem dinh xe"),
    # Việc làm – An sinh xã hội
    Row("viec-lam", "viec-lam", "Việc làm", "Jobs", "briefcase",
        "Sàn giao dịch việc làm: tin tuyển dụng, phiên giao dịch.", "https://vieclam.hue.example/",
        "tuyen dung, tim viec, lao dong"),
    Row("viec-lam", "bao-hiem-that-nghiep", "Bảo hiểm thất nghiệp", "Unemployment insurance", "id-card",
        "Nộp hồ sơ hưởng trợ cấp thất nghiệp.", "https://vieclam.hue.example/bhtn", "that nghiep, tro cap"),
    Row("viec-lam", "tro-giup-xa-hoi", "Trợ giúp xã hội", "Social assistance", "hand-heart",
        "Trợ cấp cho người cao tuổi, người khuyết tật, hộ nghèo.", _portal("tro-giup-xa-hoi"),
        "tro cap, ho ngheo, nguoi cao tuoi, khuyet tat", PORTAL),
    Row("viec-lam", "tu-van-phap-luat", "Trợ giúp pháp lý", "Legal aid", "scale",
        "Tư vấn pháp luật miễn phí cho người dân.", "https://trogiupphaply.hue.example/", "luat su, tu van"),
]

NEWS_CATEGORIES = [
    ("thong-bao", "Thông báo", "Notices"),
    ("thien-tai", "Phòng chống thiên tai", "Disaster prevention"),
    ("do-thi", "Đô thị – Giao thông", "City and transport"),
    ("van-hoa", "Văn hóa – Du lịch", "Culture and tourism"),
    ("y-te-giao-duc", "Y tế – Giáo dục", "Health and education"),
]


@dataclass(frozen=True)
class News:
    category: str
    days_ago: float
    title: str
    summary: str
    body: str
    important: bool = False


NEWS = [
    News("thien-tai", 0.2, "Chủ động ứng phó mưa lớn, nguy cơ ngập úng trong 3 ngày tới",
         "Ban Chỉ huy Phòng thủ dân sự thành phố đề nghị người dân vùng trũng theo dõi cảnh báo và chuẩn bị sơ tán.",
         "Do ảnh hưởng của không khí lạnh kết hợp nhiễu động gió đông, từ nay đến hết ngày kia thành phố Huế có "
         "mưa to đến rất to, tổng lượng mưa phổ biến 200–350 mm.\n\n"
         "Người dân các phường, xã vùng trũng ven sông Hương, sông Bồ cần:\n\n"
         "- Theo dõi cảnh báo thiên tai và mực nước sông trên ứng dụng.\n"
         "- Kê cao tài sản, chuẩn bị lương thực, nước uống, đèn pin.\n"
         "- Di chuyển đến điểm sơ tán khi chính quyền địa phương yêu cầu.\n\n"
         "Khi gặp nguy hiểm đến tính mạng, bấm SOS hoặc gọi 112.", important=True),
    News("thong-bao", 1, "Tạm ngừng cấp điện một số tuyến đường phường Phú Xuân ngày Chủ nhật",
         "Điện lực Huế tạm ngừng cấp điện từ 7:00 đến 16:00 để bảo dưỡng lưới điện.",
         "Điện lực Huế thông báo tạm ngừng cung cấp điện để bảo dưỡng, sửa chữa lưới điện trên các tuyến đường "
         "Lê Lợi, Hà Nội, Bến Nghé (phường Phú Xuân) từ 7:00 đến 16:00.\n\n"
         "Thời gian có điện trở lại có thể sớm hơn dự kiến. Xem lịch ngừng cấp điện trong mục Dịch vụ."),
    News("do-thi", 2, "Thành phố đưa vào vận hành 12 trạm xe đạp công cộng mới",
         "Các trạm mới đặt tại khu vực Đại Nội, ga Huế và bờ nam sông Hương.",
         "Từ tuần này, người dân và du khách có thể thuê xe đạp công cộng tại 12 trạm mới. Giá thuê 5.000 đồng "
         "cho 30 phút đầu, thanh toán qua ứng dụng.\n\n"
         "Thành phố khuyến khích sử dụng xe đạp cho các chuyến đi ngắn trong khu vực di sản."),
    News("van-hoa", 3, "Miễn phí vé tham quan di tích cho người dân Huế vào ngày Chủ nhật đầu tháng",
         "Trung tâm Bảo tồn Di tích Cố đô Huế tiếp tục chương trình mở cửa miễn phí cho người dân.",
         "Người có hộ khẩu thường trú tại thành phố Huế được miễn phí vé tham quan Đại Nội và các lăng vào ngày "
         "Chủ nhật đầu tiên của mỗi tháng. Mang theo căn cước công dân khi vào cổng."),
    News("y-te-giao-duc", 4, "Tuyển sinh đầu cấp năm học mới: đăng ký trực tuyến từ ngày 1/7",
         "Phụ huynh đăng ký cho trẻ vào mầm non, lớp 1, lớp 6 qua cổng tuyển sinh trực tuyến.",
         "Sở Giáo dục và Đào tạo thông báo lịch tuyển sinh đầu cấp. Phụ huynh đăng ký trực tuyến, không cần nộp "
         "hồ sơ giấy; kết quả được thông báo qua ứng dụng và tin nhắn.\n\n"
         "Mọi thắc mắc xin liên hệ đường dây nóng của ngành giáo dục."),
    News("thong-bao", 5, "Đổi lịch thu gom rác tại các phường bờ nam sông Hương",
         "HEPCO điều chỉnh giờ thu gom rác sinh hoạt từ 17:30 sang 19:00.",
         "Công ty Môi trường và Công trình đô thị Huế (HEPCO) điều chỉnh giờ thu gom rác tại các phường bờ nam. "
         "Đề nghị người dân để rác đúng giờ, đúng nơi quy định."),
    News("thien-tai", 6, "Diễn tập phương án sơ tán dân vùng ven biển",
         "Các xã ven biển tổ chức diễn tập sơ tán đến nhà tránh trú an toàn.",
         "Nhằm chủ động ứng phó mùa mưa bão, thành phố tổ chức diễn tập sơ tán dân vùng ven biển, đầm phá. "
         "Người dân sẽ nhận thông báo qua ứng dụng trước khi diễn tập."),
    News("y-te-giao-duc", 8, "Bệnh viện Trung ương Huế mở đặt lịch khám qua ứng dụng",
         "Người bệnh chọn chuyên khoa, giờ khám, giảm thời gian chờ tại bệnh viện.",
         "Từ tháng này, người bệnh có thể đặt lịch khám tại Bệnh viện Trung ương Huế ngay trong mục Dịch vụ, "
         "đăng nhập bằng tài khoản công dân của thành phố."),
    News("do-thi", 10, "Phân luồng giao thông phục vụ thi công cầu qua sông An Cựu",
         "Cấm xe tải trên 5 tấn qua khu vực thi công trong 60 ngày.",
         "Để thi công cầu mới qua sông An Cựu, thành phố phân luồng giao thông từ ngày mai. Xe máy và ô tô con "
         "đi theo hướng dẫn tại hiện trường; xe tải trên 5 tấn đi tuyến tránh."),
    News("van-hoa", 12, "Festival Nghề truyền thống Huế: chương trình chính",
         "Hơn 50 làng nghề tham gia trưng bày, trình diễn tại phố đi bộ.",
         "Festival Nghề truyền thống Huế diễn ra trong 5 ngày với các hoạt động trình diễn nón lá, đúc đồng, "
         "thêu, mộc mỹ nghệ. Lịch chi tiết xem tại mục Festival Huế – Lịch sự kiện."),
    News("thong-bao", 14, "Nộp hồ sơ thủ tục hành chính trực tuyến bằng tài khoản công dân",
         "Đăng nhập Cổng dịch vụ công thành phố bằng một tài khoản duy nhất.",
         "Người dân đã có tài khoản trên ứng dụng có thể đăng nhập Cổng dịch vụ công thành phố Huế mà không cần "
         "tạo tài khoản mới. Hồ sơ, kết quả được theo dõi trong mục Tra cứu hồ sơ."),
    News("thien-tai", 20, "Hướng dẫn gia cố nhà cửa trước mùa mưa bão",
         "Những việc cần làm để bảo vệ nhà cửa và tài sản.",
         "- Kiểm tra, gia cố mái tôn bằng bao cát hoặc dây neo.\n"
         "- Chặt tỉa cành cây gần nhà, gần đường dây điện.\n"
         "- Chuẩn bị đèn pin, sạc dự phòng, thuốc men.\n\n"
         "Theo dõi cảnh báo trên ứng dụng để chủ động ứng phó."),
]


@dataclass
class DemoCatalog:
    services: int = 0
    news: int = 0


def _author() -> User | None:
    return User.objects.filter(is_superuser=True).order_by("pk").first()


@transaction.atomic
def demo_load_catalog(*, now: dt.datetime | None = None) -> DemoCatalog:
    """Create what is missing; existing rows (an administrator's edits) are kept."""
    now = now or timezone.now()
    summary = DemoCatalog()
    groups = {}
    for order, (key, name, name_en, icon) in enumerate(GROUPS, start=1):
        groups[key], _new = ServiceGroup.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "icon": icon, "order": order * 10})
    existing = set(Service.objects.values_list("code", flat=True))
    for order, row in enumerate(SERVICES, start=1):
        if row.code in existing:
            continue
        service = Service(
            code=row.code, name=row.name, name_en=row.name_en, short_description=row.description,
            group=groups[row.group], icon=row.icon, order=order * 10, audience=row.audience, keywords=row.keywords,
            kind=ServiceKind.EXTERNAL if row.external else ServiceKind.INTERNAL,
            url=row.target if row.external else "", url_name="" if row.external else row.target,
            client_id=row.client_id)
        service.full_clean()
        service.save()
        summary.services += 1
        # a month of openings, so the admin's usage columns and the first screen have figures
        weight = max(1, 40 - order // 2) if order % 3 else max(1, 90 - order)
        today = timezone.localdate(now)
        ServiceOpen.objects.bulk_create([
            ServiceOpen(service=service, day=today - dt.timedelta(days=d), count=weight + (d * order) % 7)
            for d in range(1, 31)])
    categories = {}
    for order, (code, name, name_en) in enumerate(NEWS_CATEGORIES, start=1):
        categories[code], _new = NewsCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10})
    titles = set(NewsItem.objects.values_list("title", flat=True))
    author = _author()
    for row in NEWS:
        if row.title in titles:
            continue
        at = now - dt.timedelta(days=row.days_ago)
        item = NewsItem(title=row.title, summary=row.summary, body=row.body, category=categories[row.category],
                        important=row.important, status=NewsStatus.PUBLISHED, published_at=at, author=author,
                        pushed_at=at if row.important else None)  # history: announced when it was published
        item.full_clean()
        item.save()
        summary.news += 1
    return summary
