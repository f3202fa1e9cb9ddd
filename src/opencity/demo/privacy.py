"""The privacy centre's demo: the record of processing of the city's modules, a few data subject
requests (one overdue) and one breach drill. Idempotent: each row is looked up by a key first."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from opencity.lib.lifecycle import actor_fields
from opencity.privacy.deadlines import request_due_at
from opencity.privacy.models import (
    Breach,
    DataSubjectRequest,
    DataSubjectRequestStep,
    ProcessingRecord,
)
from opencity.roles import Role

PROCESSING = (
    ("reports", "Phản ánh hiện trường", "Tiếp nhận, chuyển xử lý và công khai kết quả phản ánh của người dân.",
     "Họ tên, số điện thoại, vị trí, ảnh, nội dung phản ánh", "Người phản ánh", "public_task",
     "Trung tâm IOC, đơn vị xử lý, UBND phường/xã; nội dung và kết quả công khai không kèm người phản ánh",
     "Phản ánh: lưu như hồ sơ công vụ; họ tên, số điện thoại: đến khi người dân xoá tài khoản"),
    ("sos", "Yêu cầu cứu hộ (SOS)", "Điều phối lực lượng cứu hộ đến người cần giúp.",
     "Họ tên, số điện thoại, vị trí chính xác, số người, nhu cầu (có thể có thông tin sức khoẻ)",
     "Người yêu cầu, người được cứu", "emergency", "Trung tâm IOC, đội cứu hộ, Ban chỉ huy sự cố",
     "Hồ sơ cứu hộ lưu 5 năm; thông tin liên hệ xoá khi người dân xoá tài khoản"),
    ("hotline", "Đường dây nóng 1900 1075", "Ghi nhận cuộc gọi, gọi lại, tạo phản ánh thay người gọi.",
     "Số điện thoại, tên người gọi, nội dung cuộc gọi", "Người gọi", "public_task",
     "Điều phối viên đường dây nóng, Trung tâm IOC", "Nhật ký cuộc gọi 2 năm"),
    ("warnings", "Cảnh báo thiên tai (push)", "Gửi cảnh báo cho người dân ở phường/xã bị ảnh hưởng.",
     "Phường/xã nơi ở, vị trí hiện tại (nếu đồng ý chia sẻ), thiết bị nhận thông báo đẩy",
     "Người dùng ứng dụng", "consent", "Không chia sẻ; dịch vụ đẩy của trình duyệt nhận nội dung mã hoá",
     "Vị trí hiện tại: hết hiệu lực sau vài giờ, xoá khi tắt chia sẻ"),
    ("cameras", "Camera giám sát (sự kiện)", "Phát hiện sự kiện giao thông, ngập úng, an ninh trật tự.",
     "Hình ảnh, biển số xe trong sự kiện camera", "Người tham gia giao thông, người đi đường", "public_task",
     "Trung tâm IOC, công an phường/xã khi có vi phạm", "Sự kiện 1 năm; ảnh gốc theo hệ thống camera"),
    ("accounts", "Tài khoản OpenCity", "Đăng nhập một lần cho các dịch vụ của thành phố.",
     "Số điện thoại, họ tên, e-mail, mật khẩu (băm), phiên đăng nhập", "Người dùng", "contract",
     "Các dịch vụ của thành phố mà người dùng đăng nhập (theo phạm vi đồng ý)", "Đến khi xoá tài khoản"),
    ("monitoring", "Quan trắc và tàu thuyền", "Theo dõi mực nước, môi trường, vị trí tàu cá khi có bão.",
     "Vị trí tàu, tên chủ tàu, số điện thoại liên lạc", "Chủ tàu, thuyền trưởng", "public_task",
     "Trung tâm IOC, Bộ đội biên phòng", "Vị trí 1 năm"),
    ("dossiers", "Hồ sơ một cửa", "Đồng bộ trạng thái hồ sơ thủ tục hành chính từ hệ thống một cửa, thống kê đúng "
     "hạn, cho người nộp tra cứu và theo dõi hồ sơ.",
     "Mã hồ sơ, họ tên và số điện thoại chủ hồ sơ (4 số cuối dùng để đối chiếu khi tra cứu, không hiển thị)",
     "Người nộp hồ sơ thủ tục hành chính", "public_task", "Lãnh đạo thành phố, Trung tâm IOC, cơ quan xử lý hồ sơ",
     "Theo thời hạn lưu của hệ thống một cửa"),
)


def _request(user, kind: str, details: str, received_at: dt.datetime, *, status: str = "received",
             answer: str = "") -> None:
    if DataSubjectRequest.objects.filter(user=user, kind=kind, details=details).exists():
        return
    answered_at = received_at + dt.timedelta(days=1) if status in ("answered", "refused") else None
    r = DataSubjectRequest.objects.create(user=user, kind=kind, details=details, received_at=received_at,
                                          due_at=request_due_at(kind, received_at), status=status,
                                          answer=answer, answered_at=answered_at, updated_at=received_at)
    DataSubjectRequestStep.objects.create(request=r, **actor_fields(user), action="receive", from_status="",
                                          to_status="received", created_at=received_at)
    if status != "received":
        DataSubjectRequestStep.objects.create(request=r, actor=None, action="answer" if status == "answered"
                                              else "refuse", from_status="received", to_status=status,
                                              note=answer, created_at=answered_at)


def demo_load_privacy() -> dict[str, int]:
    for code, service, purpose, data, people, basis, recipients, retention in PROCESSING:
        ProcessingRecord.objects.get_or_create(code=code, defaults=dict(
            service=service, purpose=purpose, data_categories=data, subject_categories=people, legal_basis=basis,
            recipients=recipients, retention=retention, transfers_abroad="Không",
            security_measures="Mã hoá đường truyền, phân quyền theo vai trò, nhật ký kiểm toán"))
    User = get_user_model()
    citizens = list(User.objects.filter(role=Role.CITIZEN, is_active=True).order_by("phone")[:3])
    now = timezone.now()
    if citizens:
        _request(citizens[0], "correction", "Địa chỉ trên phản ánh của tôi ghi sai số nhà, đề nghị sửa thành 31/32.",
                 now - dt.timedelta(days=12))  # overdue
        _request(citizens[-1], "objection", "Tôi không muốn nhận thông báo qua SMS về các phản ánh tôi theo dõi.",
                 now - dt.timedelta(hours=3))
        _request(citizens[min(1, len(citizens) - 1)], "restriction",
                 "Đề nghị tạm ngừng hiển thị ảnh tôi gửi kèm phản ánh trong lúc xem xét.", now - dt.timedelta(days=20),
                 status="answered", answer="Đã ẩn ảnh khỏi trang công khai.")
    admin = User.objects.filter(role=Role.ADMIN).order_by("phone").first()
    title = "Diễn tập: lộ danh sách số điện thoại người gọi đường dây nóng"
    if not Breach.objects.filter(title=title).exists():
        Breach.objects.create(
            title=title, is_drill=True, discovered_at=now - dt.timedelta(hours=20),
            occurred_at=now - dt.timedelta(hours=30),
            description="Bài diễn tập: một tệp xuất nhật ký cuộc gọi bị gửi nhầm ra ngoài qua e-mail.",
            data_categories="Số điện thoại, thời điểm gọi, chủ đề cuộc gọi",
            subject_categories="Người gọi đường dây nóng", affected_count=120,
            measures="Thu hồi e-mail, đổi quyền truy cập tệp xuất, nhắc lại quy trình.", recorded_by=admin)
    return {"processing": ProcessingRecord.objects.count(), "requests": DataSubjectRequest.objects.count()}

