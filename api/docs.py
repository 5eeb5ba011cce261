"""The API's documentation, in English and Vietnamese, for the OpenAPI schema. Written here
rather than through the message catalogue: the schema is one file with both languages, checked
into the repository, the same whatever language the server runs in."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema

DESCRIPTION = """\
The API of Cascade: the organisation tree, documents and their cascade, targets and their
measurements, tasks given to units and each unit's progress, reports, notifications and the
dashboard's figures. Every row is scoped exactly as on the pages: a person (or a partner system
using their API token) reads and writes only what that person may. Writes go through the same
services as the pages, so validation, audit trail and permissions are identical.

Authentication: the browser session, or an API token issued by an administrator, sent as
`Authorization: Bearer csc_…`. Requests are rate-limited per token (HTTP 429 with
`Retry-After` when exceeded). Lists are paginated (`page`, `page_size` up to 200).

---

API của Cascade: cây tổ chức, văn bản và chuỗi triển khai, chỉ tiêu và số liệu đo, nhiệm vụ
giao cho các đơn vị và tiến độ của từng đơn vị, báo cáo, thông báo và số liệu bảng điều hành.
Phạm vi dữ liệu giống hệt trên giao diện: một người (hoặc hệ thống đối tác dùng mã API của người
đó) chỉ đọc và ghi những gì người đó được phép. Thao tác ghi đi qua cùng các dịch vụ như giao
diện, nên kiểm tra dữ liệu, nhật ký và phân quyền là như nhau.

Xác thực: phiên đăng nhập trên trình duyệt, hoặc mã API do quản trị viên cấp, gửi dưới dạng
`Authorization: Bearer csc_…`. Số yêu cầu bị giới hạn theo từng mã (HTTP 429 kèm `Retry-After`
khi vượt). Danh sách được phân trang (`page`, `page_size` tối đa 200).
"""

TAGS = [
    ("units", "The organisation tree.", "Cây tổ chức."),
    (
        "documents",
        "Directives, plans and guides, with their cascade (what they implement and what "
        "implements them).",
        "Chỉ thị, kế hoạch, hướng dẫn và chuỗi triển khai (văn bản thực hiện văn bản nào).",
    ),
    (
        "targets",
        "Targets and their measurements in reports.",
        "Chỉ tiêu và số liệu đo trong báo cáo.",
    ),
    (
        "tasks",
        "Tasks, units' shares of them, their periods and progress logs.",
        "Nhiệm vụ, phần việc của từng đơn vị, các kỳ và nhật ký tiến độ.",
    ),
    ("reports", "Report requests and reports.", "Yêu cầu báo cáo và báo cáo."),
    ("notifications", "Your own notifications.", "Thông báo của chính bạn."),
    ("dashboard", "The dashboard's figures.", "Số liệu bảng điều hành."),
    (
        "imports",
        "Importing a plan: the importer's JSON or a text in, a draft out for review.",
        "Nhập kế hoạch: JSON của bộ đọc hoặc văn bản, ra bản dự thảo để rà soát.",
    ),
    ("tokens", "API tokens: issue, list, revoke.", "Mã API: cấp, xem, thu hồi."),
]

# operation → (tag, English summary, English description, Vietnamese description)
OPERATIONS: dict[str, tuple[str, str, str, str]] = {
    "units_list": (
        "units",
        "List units",
        "Units of the tree, by bloc, level, parent, subtree or name (diacritics ignored).",
        "Các đơn vị trong cây, lọc theo khối, cấp, đơn vị cha, nhánh hoặc tên (không dấu).",
    ),
    "units_retrieve": ("units", "A unit", "One unit of the tree.", "Một đơn vị trong cây."),
    "documents_list": (
        "documents",
        "List documents",
        "Documents you may read, by issuer, its level and bloc, subtree, type, status, issue "
        "date, cascade or words (diacritics ignored), with task counts.",
        "Các văn bản bạn được xem, lọc theo cơ quan ban hành, cấp, khối, nhánh, loại, trạng "
        "thái, ngày ban hành, chuỗi triển khai hoặc từ khóa (không dấu), kèm số nhiệm vụ.",
    ),
    "documents_retrieve": (
        "documents",
        "A document",
        "A document with the documents above it in its cascade (top first), those "
        "implementing it, its targets, recipients and citations.",
        "Một văn bản, kèm các văn bản cấp trên trong chuỗi (từ trên xuống), các văn bản triển "
        "khai nó, chỉ tiêu, nơi nhận và văn bản được viện dẫn.",
    ),
    "documents_cascade": (
        "documents",
        "Export a cascade",
        "The cascade of a document as JSON: the documents above it and the tree below, as far "
        "as you may see. A very large cascade gives its first level (see child_count and "
        "more_from).",
        "Xuất chuỗi triển khai của một văn bản dưới dạng JSON: các văn bản cấp trên và cây văn "
        "bản bên dưới, trong phạm vi bạn được xem. Chuỗi rất lớn chỉ trả cấp đầu tiên (xem "
        "child_count và more_from).",
    ),
    "targets_list": (
        "targets",
        "List targets",
        "Targets of the documents you may read.",
        "Chỉ tiêu của các văn bản bạn được xem.",
    ),
    "targets_retrieve": ("targets", "A target", "One target.", "Một chỉ tiêu."),
    "measurements_list": (
        "targets",
        "List measurements",
        "Targets' figures in the reports you may read, as numerator and denominator (and "
        "rolled up from the reports below).",
        "Số liệu chỉ tiêu trong các báo cáo bạn được xem, dưới dạng tử số và mẫu số (và tổng "
        "hợp từ các báo cáo cấp dưới).",
    ),
    "measurements_retrieve": ("targets", "A measurement", "One measurement.", "Một số liệu đo."),
    "tasks_list": (
        "tasks",
        "List tasks",
        "Tasks of the documents you may read, with the units they are given to; by document, "
        "cascade, issuer, status, deadline, assigned unit or subtree.",
        "Nhiệm vụ của các văn bản bạn được xem, kèm đơn vị được giao; lọc theo văn bản, chuỗi, "
        "cơ quan ban hành, trạng thái, thời hạn, đơn vị được giao hoặc nhánh.",
    ),
    "tasks_retrieve": ("tasks", "A task", "One task.", "Một nhiệm vụ."),
    "assignments_list": (
        "tasks",
        "List units' shares of tasks",
        "Each unit's share of a task (lead or coordinating) and its status.",
        "Phần việc của từng đơn vị trong nhiệm vụ (chủ trì hoặc phối hợp) và trạng thái.",
    ),
    "assignments_retrieve": ("tasks", "A unit's share", "One share.", "Một phần việc."),
    "assignments_complete": (
        "tasks",
        "Complete a unit's share",
        "Mark the unit's share of the task done, with a note (as on the task page).",
        "Đánh dấu phần việc của đơn vị đã hoàn thành, kèm ghi chú (như trên trang nhiệm vụ).",
    ),
    "occurrences_list": (
        "tasks",
        "List periods",
        "Each period of a unit's share, due on a day; by unit, subtree, status, due date.",
        "Từng kỳ của phần việc, có hạn riêng; lọc theo đơn vị, nhánh, trạng thái, hạn.",
    ),
    "occurrences_retrieve": ("tasks", "A period", "One period.", "Một kỳ."),
    "occurrences_complete": (
        "tasks",
        "Complete a period",
        "Mark one period of a unit's share done, with a note.",
        "Đánh dấu một kỳ của phần việc đã hoàn thành, kèm ghi chú.",
    ),
    "progress_list": (
        "tasks",
        "List progress updates",
        "The progress logs of the shares you may read.",
        "Nhật ký tiến độ của các phần việc bạn được xem.",
    ),
    "progress_retrieve": ("tasks", "A progress update", "One entry.", "Một mục tiến độ."),
    "progress_create": (
        "tasks",
        "Post a progress update",
        "Log progress on a unit's share of a task (status not_started, in_progress or done; "
        "optionally for one period). Refused (403) unless you may report for that unit.",
        "Ghi tiến độ cho phần việc của đơn vị (trạng thái chưa bắt đầu, đang thực hiện hoặc "
        "hoàn thành; có thể cho một kỳ). Bị từ chối (403) nếu bạn không được báo cáo cho đơn "
        "vị đó.",
    ),
    "reports_list": (
        "reports",
        "List reports",
        "Report requests and reports your units send or receive; by state, unit, receiver, "
        "subtree, period, due date.",
        "Yêu cầu báo cáo và báo cáo mà đơn vị bạn gửi hoặc nhận; lọc theo trạng thái, đơn vị, "
        "nơi nhận, nhánh, kỳ, hạn.",
    ),
    "reports_retrieve": (
        "reports",
        "A report",
        "A report with its narrative, task lines and measurements.",
        "Một báo cáo, kèm nội dung, tình hình nhiệm vụ và số liệu chỉ tiêu.",
    ),
    "notifications_list": (
        "notifications",
        "List your notifications",
        "Your notifications, newest first.",
        "Thông báo của bạn, mới nhất trước.",
    ),
    "notifications_retrieve": ("notifications", "A notification", "One.", "Một thông báo."),
    "notifications_read": (
        "notifications",
        "Mark read",
        "Mark one of your notifications read.",
        "Đánh dấu một thông báo đã đọc.",
    ),
    "notifications_read_all": (
        "notifications",
        "Mark all read",
        "Mark all your notifications read; returns how many.",
        "Đánh dấu mọi thông báo đã đọc; trả về số lượng.",
    ),
    "dashboard": (
        "dashboard",
        "Dashboard figures",
        "Occurrences by state, coverage of implementing plans, the branches below the unit, "
        "the trend, the longest overdue and the targets' figures, for a directive (or one of "
        "its plans), a unit's subtree, a period, bloc and level.",
        "Số kỳ nhiệm vụ theo trạng thái, tình hình ban hành kế hoạch, các nhánh dưới đơn vị, "
        "xu hướng, việc quá hạn lâu nhất và số liệu chỉ tiêu, theo chỉ thị (hoặc một kế hoạch), "
        "nhánh của đơn vị, kỳ, khối và cấp.",
    ),
    "imports_preview": (
        "imports",
        "Preview an import",
        "What importing would save (issuer, implemented document, names matched to units, "
        "warnings); nothing is saved. Send the importer's JSON as extraction (what "
        "`manage.py import_plan --dry-run --json` prints), or text, or a .docx/.txt file.",
        "Xem trước kết quả nhập (cơ quan ban hành, văn bản được triển khai, tên đơn vị đã nhận "
        "ra, cảnh báo); không lưu gì. Gửi JSON của bộ đọc trong extraction (như "
        "`manage.py import_plan --dry-run --json` in ra), hoặc văn bản, hoặc tệp .docx/.txt.",
    ),
    "imports_create": (
        "imports",
        "Import a plan",
        "Save the plan, by default as a draft for a person to review in the application "
        "(draft=false keeps it as issued). Refused (403) unless you may enter plans for the "
        "issuer.",
        "Lưu kế hoạch, mặc định là bản dự thảo để người dùng rà soát trên giao diện "
        "(draft=false giữ là văn bản đã ban hành). Bị từ chối (403) nếu bạn không được nhập "
        "văn bản cho cơ quan ban hành.",
    ),
    "tokens_list": (
        "tokens",
        "List API tokens",
        "Your tokens and those of the people you administer (never the secrets).",
        "Mã API của bạn và của những người bạn quản trị (không bao giờ hiện mã bí mật).",
    ),
    "tokens_retrieve": ("tokens", "An API token", "One token.", "Một mã API."),
    "tokens_create": (
        "tokens",
        "Issue an API token",
        "Issue a token for a person you administer; the secret (key) is shown only in this answer.",
        "Cấp mã cho người bạn quản trị; mã bí mật (key) chỉ hiện trong phản hồi này.",
    ),
    "tokens_revoke": (
        "tokens",
        "Revoke an API token",
        "Revoke a token at once.",
        "Thu hồi mã ngay lập tức.",
    ),
}


def doc(key: str, **kwargs: Any) -> Any:
    """``extend_schema`` with the operation's tag, summary and both descriptions."""
    tag, summary, english, vietnamese = OPERATIONS[key]
    return extend_schema(
        tags=[tag], summary=summary, description=f"{english}\n\n{vietnamese}", **kwargs
    )


def tags() -> list[dict[str, str]]:
    return [
        {"name": name, "description": f"{english} — {vietnamese}"}
        for name, english, vietnamese in TAGS
    ]
