"""What the demo's past meetings were about: titles, agendas, votes, conclusions and tasks.

Days are counted back from the day the demo is seeded, so the history is always "the last four
months". Titles may name the meeting's week ``{w}``, month ``{m}`` (next: ``{m1}``), months
elapsed ``{n}`` and year ``{y}`` (next: ``{y1}``). Units are the demo departments in the order
``TC`` … ``GD``; a task's ``plan`` is one of ``tasks.PLANS`` (what becomes of it).
"""

from __future__ import annotations

from dataclasses import dataclass

TC, KH, XD, YT, GD = range(5)  # Tài chính, Kế hoạch và Đầu tư, Xây dựng, Y tế, Giáo dục
ALL = (TC, KH, XD, YT, GD)
#: Rooms in the demo's order.
ROOM_1, ROOM_2, ROOM_3, HALL, ONLINE = range(5)


@dataclass(frozen=True)
class Item:
    """An agenda item: its title is its document's, ``document`` names the PDF ("" none)."""

    title: str
    unit: int | None = None  # the presenting department; None: the office
    minutes: int = 30
    document: str = "topic"
    vote: str = ""  # the question put to the vote, if any


@dataclass(frozen=True)
class TaskLine:
    """A conclusion that assigns a task: to a unit, its director (1), a deputy (2) or no one (0)."""

    text: str
    unit: int
    who: int
    days: int  # the deadline, in days after the meeting
    plan: str


@dataclass(frozen=True)
class Spec:
    """One past meeting as the story tells it."""

    days_ago: int
    title: str
    room: int
    start: tuple[int, int]
    hours: float
    chair: str
    units: tuple[int, ...]
    depth: int  # people invited per unit: the director, then deputies
    items: tuple[Item, ...]
    conclusions: tuple[str, ...]
    tasks: tuple[TaskLine, ...] = ()
    vice: bool = True  # the other leader attends as a member


WEEKLY = Item("Báo cáo kết quả công tác tuần và chương trình công tác tuần tới", None, 30, "week")
WEEKLY_ROUND = Item("Các sở báo cáo nhanh công việc trọng tâm, đề xuất, kiến nghị", None, 45, "")
#: Weeks back of the Monday briefings (giao ban) in room 2.
BRIEFING_WEEKS = (15, 12, 9, 6, 3, 1)
BRIEFING_TITLE = "Giao ban lãnh đạo UBND thành phố tuần {w}/{y}"
BRIEFING_CONCLUSIONS = (
    "Các sở tập trung hoàn thành các nhiệm vụ đã được giao trong chương trình công tác tuần.",
    "Văn phòng UBND thành phố theo dõi, đôn đốc việc thực hiện các kết luận của lãnh đạo.",
    "Các đơn vị chủ động báo cáo những khó khăn, vướng mắc vượt thẩm quyền.",
    "Tăng cường kỷ luật, kỷ cương hành chính; xử lý hồ sơ đúng hạn trên hệ thống một cửa.",
    "Chuẩn bị chu đáo nội dung trình phiên họp thường kỳ UBND thành phố.",
)

_MONTHLY_REPORT = Item(
    "Báo cáo tình hình kinh tế - xã hội tháng {m}, nhiệm vụ trọng tâm tháng {m1}", KH, 40, "month"
)
_MONTHLY_CONCLUSION = (
    "Thống nhất thông qua Báo cáo tình hình kinh tế - xã hội tháng {m} và nhiệm vụ trọng tâm "
    "tháng {m1}; giao Văn phòng UBND thành phố hoàn chỉnh, ban hành."
)


def _monthly(days_ago: int, items: tuple[Item, ...], tasks: tuple[TaskLine, ...]) -> Spec:
    """Return the month's ordinary session (phiên họp thường kỳ) in room 1, everyone invited."""
    return Spec(
        days_ago, "Phiên họp UBND thành phố thường kỳ tháng {m}/{y}", ROOM_1, (8, 0), 3.5,
        "chutich", ALL, 4, (_MONTHLY_REPORT, *items), (_MONTHLY_CONCLUSION,), tasks,
    )  # fmt: skip


SPECS = (
    Spec(117, "Họp chuyên đề về cơ sở vật chất trường học và công tác tuyển sinh đầu cấp",
         ROOM_3, (14, 0), 2, "phochutich", (GD, TC, XD), 1,
         (Item("Báo cáo của Sở Giáo dục và Đào tạo về cơ sở vật chất trường học", GD),
          Item("Ý kiến của Sở Tài chính, Sở Xây dựng về nguồn vốn sửa chữa", TC, 30, "")),
         ("Thống nhất chủ trương ưu tiên vốn sửa chữa, chống xuống cấp trường học.",
          "Sở Giáo dục và Đào tạo chịu trách nhiệm về số liệu tuyển sinh đã báo cáo.")),
    Spec(105, "Họp chuyên đề về tiến độ giải ngân vốn đầu tư công năm {y}", ROOM_1, (8, 30), 2.5,
         "chutich", (KH, TC, XD, GD), 2,
         (Item("Báo cáo tình hình giải ngân vốn đầu tư công năm {y}", KH),
          Item("Danh mục dự án chậm giải ngân và đề xuất điều chuyển vốn", KH, 30, "topic",
               "Thông qua phương án điều chuyển vốn từ các dự án chậm giải ngân")),
         ("Giải ngân vốn đầu tư công là nhiệm vụ chính trị trọng tâm; thủ trưởng đơn vị chịu "
          "trách nhiệm nếu để chậm giải ngân.",),
         (TaskLine("Tổng hợp danh mục dự án chậm giải ngân, đề xuất điều chuyển vốn.",
                   KH, 1, 14, "late"),
          TaskLine("Đôn đốc nhà thầu đẩy nhanh tiến độ thi công các công trình giao thông trọng "
                   "điểm.", XD, 2, 21, "late"),
          TaskLine("Rút ngắn thời gian thẩm tra, phê duyệt quyết toán dự án hoàn thành.",
                   TC, 1, 10, "on_time"),
          TaskLine("Hoàn thiện hồ sơ thanh toán khối lượng hoàn thành các dự án trường học.",
                   GD, 0, 20, "extended"))),
    _monthly(100,
             (Item("Tờ trình điều chỉnh dự toán ngân sách thành phố năm {y}", TC, 30, "topic",
                   "Thông qua Tờ trình điều chỉnh dự toán ngân sách thành phố năm {y}"),),
             (TaskLine("Rà soát, tổng hợp nhu cầu bổ sung kinh phí chi thường xuyên 6 tháng cuối "
                       "năm của các đơn vị.", TC, 1, 21, "on_time"),
              TaskLine("Tham mưu phương án điều chỉnh kế hoạch đầu tư công năm {y}.",
                       KH, 1, 30, "late"),
              TaskLine("Kiểm tra, xử lý các công trình xây dựng không phép, sai phép trên địa "
                       "bàn.", XD, 2, 25, "on_time"),
              TaskLine("Xây dựng kế hoạch phòng, chống dịch sốt xuất huyết, tay chân miệng trong "
                       "mùa mưa.", YT, 1, 15, "on_time"),
              TaskLine("Rà soát cơ sở vật chất, bảo đảm đủ phòng học, bàn ghế cho năm học mới.",
                       GD, 1, 14, "on_time"),
              TaskLine("Hướng dẫn các đơn vị quyết toán kinh phí các chương trình mục tiêu.",
                       TC, 2, 30, "on_time"))),
    Spec(91, "Họp chuyên đề về phòng, chống dịch sốt xuất huyết và bệnh truyền nhiễm", ONLINE,
         (14, 0), 2, "phochutich", (YT, GD, TC), 2,
         (Item("Báo cáo tình hình dịch bệnh truyền nhiễm và công tác phòng, chống", YT),
          Item("Kế hoạch truyền thông phòng bệnh trong trường học", GD, 20, "")),
         ("Các đơn vị không để dịch bùng phát thành ổ dịch lớn, kéo dài.",),
         (TaskLine("Tổ chức chiến dịch diệt lăng quăng, bọ gậy tại các khu dân cư có ổ dịch.",
                   YT, 1, 7, "on_time"),
          TaskLine("Báo cáo đánh giá tình hình dịch bệnh và đề xuất kinh phí phòng, chống dịch.",
                   YT, 2, 30, "redone"),
          TaskLine("Chỉ đạo các trường học vệ sinh môi trường, phòng bệnh cho học sinh.",
                   GD, 1, 14, "late"),
          TaskLine("Thẩm định, bố trí kinh phí mua hóa chất, vật tư phòng, chống dịch.",
                   TC, 2, 21, "late"))),
    Spec(77, "Họp Ban Chỉ đạo chuyển đổi số thành phố tháng {m}/{y}", ONLINE, (9, 0), 2,
         "chutich", ALL, 1,
         (Item("Báo cáo kết quả chuyển đổi số và chỉ số DTI của thành phố", KH),
          Item("Kế hoạch chuyển đổi số trong các cơ quan nhà nước", None, 30, "")),
         ("Người đứng đầu trực tiếp chỉ đạo chuyển đổi số tại đơn vị mình.",
          "100% hồ sơ công việc được xử lý trên môi trường mạng, trừ hồ sơ mật.")),
    _monthly(70,
             (Item("Báo cáo tình hình thu, chi ngân sách và giải pháp tăng thu", TC, 30, "topic",
                   "Thông qua các giải pháp tăng thu ngân sách những tháng cuối năm"),),
             (TaskLine("Đánh giá tình hình thu ngân sách, đề xuất giải pháp tăng thu những tháng "
                       "cuối năm.", TC, 1, 21, "on_time"),
              TaskLine("Báo cáo tình hình thu hút đầu tư và đăng ký doanh nghiệp.",
                       KH, 1, 30, "on_time"),
              TaskLine("Hoàn thành điều chỉnh quy hoạch chi tiết khu đô thị mới phía Đông.",
                       XD, 1, 30, "refused"),
              TaskLine("Kiểm tra công tác khám, chữa bệnh và cung ứng thuốc tại các bệnh viện "
                       "tuyến thành phố.", YT, 1, 25, "on_time"),
              TaskLine("Báo cáo tình hình tuyển sinh và biên chế giáo viên năm học mới.",
                       GD, 2, 20, "on_time"),
              TaskLine("Phối hợp Kho bạc Nhà nước rà soát các khoản tạm ứng quá hạn.",
                       TC, 2, 14, "on_time"))),
    Spec(66, "Họp chuyên đề về bồi thường, giải phóng mặt bằng dự án đường Vành đai 2", ROOM_3,
         (14, 0), 2.5, "chutich", (XD, TC, KH), 2,
         (Item("Báo cáo tiến độ bồi thường, giải phóng mặt bằng dự án đường Vành đai 2", XD),
          Item("Phương án giá đất cụ thể để tính bồi thường", TC, 30, "topic",
               "Thông qua phương án giá đất cụ thể để tính bồi thường")),
         ("Bàn giao mặt bằng theo từng đoạn để nhà thầu thi công cuốn chiếu.",),
         (TaskLine("Phối hợp UBND các phường hoàn thành kiểm đếm, lập phương án bồi thường.",
                   XD, 1, 20, "on_time"),
          TaskLine("Thẩm định đơn giá bồi thường, hỗ trợ tái định cư.", TC, 1, 15, "on_time"),
          TaskLine("Rà soát, bố trí vốn chi trả bồi thường trong kế hoạch năm.",
                   KH, 2, 25, "extended"),
          TaskLine("Bàn giao mặt bằng sạch đoạn qua phường Đa Kao cho chủ đầu tư.",
                   XD, 2, 28, "overdue"),
          TaskLine("Xử lý các công trình xây dựng trái phép trên phần đất đã thu hồi.",
                   XD, 1, 24, "on_time"),
          TaskLine("Tổ chức cưỡng chế thu hồi đất đối với các hộ chưa chấp hành.",
                   XD, 2, 29, "refused_open"),
          TaskLine("Bố trí kinh phí tổ chức cưỡng chế thu hồi đất.", TC, 2, 20, "on_time"))),
    Spec(58, "Hội nghị sơ kết công tác {n} tháng đầu năm {y}", HALL, (8, 0), 3, "chutich", ALL, 4,
         (Item("Báo cáo sơ kết tình hình kinh tế - xã hội {n} tháng đầu năm {y}", KH, 45, "month"),
          Item("Tham luận của các sở, ngành", None, 60, "")),
         ("Phấn đấu hoàn thành cao nhất các chỉ tiêu kinh tế - xã hội năm {y}.",
          "Các sở, ngành rà soát các chỉ tiêu có nguy cơ không đạt để có giải pháp kịp thời.")),
    _monthly(40,
             (Item("Tờ trình về kế hoạch tổ chức các hoạt động chào mừng năm mới", None, 30,
                   "topic", "Thông qua kế hoạch tổ chức các hoạt động chào mừng năm mới"),),
             (TaskLine("Đẩy mạnh thu ngân sách, chống thất thu đối với hoạt động kinh doanh "
                       "thương mại điện tử.", TC, 1, 20, "on_time"),
              TaskLine("Báo cáo đánh giá giữa kỳ kế hoạch phát triển kinh tế - xã hội 5 năm.",
                       KH, 1, 25, "on_time"),
              TaskLine("Hoàn thành sửa chữa, chống xuống cấp các tuyến đường nội thị.",
                       XD, 1, 30, "on_time"),
              TaskLine("Triển khai tiêm chủng mở rộng, bảo đảm tỷ lệ trẻ em tiêm đủ mũi.",
                       YT, 1, 20, "on_time"),
              TaskLine("Triển khai chuyển đổi số trong quản lý trường học.", GD, 1, 30, "on_time"),
              TaskLine("Hướng dẫn khóa sổ kế toán, chuẩn bị quyết toán ngân sách năm {y}.",
                       TC, 2, 45, "in_progress"),
              TaskLine("Xây dựng danh mục dự án kêu gọi đầu tư giai đoạn tới.",
                       KH, 2, 40, "asks_more_time"))),
    Spec(33, "Họp chuyên đề về xây dựng dự toán ngân sách nhà nước năm {y1}", ROOM_1, (14, 0),
         2.5, "chutich", ALL, 1,
         (Item("Dự toán thu, chi ngân sách nhà nước năm {y1}", TC, 45, "topic",
               "Thống nhất dự toán thu, chi ngân sách năm {y1} để trình HĐND thành phố"),
          Item("Kế hoạch đầu tư công năm {y1}", KH, 30, "investment")),
         ("Dự toán năm {y1} bảo đảm đúng quy định, triệt để tiết kiệm chi thường xuyên.",),
         (TaskLine("Hoàn thiện dự toán thu, chi ngân sách năm {y1} trình HĐND thành phố.",
                   TC, 1, 14, "on_time"),
          TaskLine("Hoàn thiện kế hoạch đầu tư công năm {y1}, danh mục dự án khởi công mới.",
                   KH, 1, 14, "on_time"),
          TaskLine("Rà soát nhu cầu mua sắm trang thiết bị y tế năm {y1}.", YT, 2, 21, "late"),
          TaskLine("Đề xuất danh mục sửa chữa, nâng cấp trường học năm {y1}.",
                   GD, 2, 21, "overdue"),
          TaskLine("Xây dựng phương án phân bổ dự toán cho các đơn vị sự nghiệp.",
                   TC, 2, 36, "reported"),
          TaskLine("Rà soát định mức phân bổ chi thường xuyên năm {y1}.", TC, 1, 20, "on_time"))),
    Spec(26, "Hội nghị đối thoại với doanh nghiệp về tháo gỡ khó khăn sản xuất, kinh doanh",
         HALL, (8, 0), 3, "chutich", ALL, 2,
         (Item("Báo cáo tổng hợp kiến nghị của doanh nghiệp", KH, 40, "report10"),
          Item("Trả lời kiến nghị của các sở, ngành", None, 60, "")),
         ("Các sở trả lời bằng văn bản các kiến nghị của doanh nghiệp trong 15 ngày.",),
         (TaskLine("Giải quyết dứt điểm kiến nghị của doanh nghiệp về thủ tục đầu tư.",
                   KH, 1, 15, "on_time"),
          TaskLine("Hướng dẫn doanh nghiệp thủ tục gia hạn nộp thuế, tiền thuê đất.",
                   TC, 1, 15, "on_time"),
          TaskLine("Rút ngắn thời gian cấp giấy phép xây dựng cho doanh nghiệp.",
                   XD, 2, 30, "returned"),
          TaskLine("Công khai quy trình hỗ trợ doanh nghiệp tiếp cận vốn ưu đãi.",
                   TC, 2, 14, "on_time"))),
    Spec(17, "Họp chuyên đề về cải cách thủ tục hành chính", ROOM_3, (14, 0), 2, "phochutich",
         ALL, 1,
         (Item("Báo cáo kết quả cải cách thủ tục hành chính và chỉ số hài lòng", None),),
         ("Không để hồ sơ trễ hạn; công khai xin lỗi người dân khi trễ hẹn.",),
         (TaskLine("Rà soát, công khai thủ tục hành chính lĩnh vực tài chính.", TC, 2, 10,
                   "on_time"),
          TaskLine("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính lĩnh vực xây dựng.",
                   XD, 1, 12, "on_time"),
          TaskLine("Đưa các thủ tục lĩnh vực y tế lên dịch vụ công trực tuyến toàn trình.",
                   YT, 1, 20, "reported"),
          TaskLine("Cắt giảm thời gian giải quyết hồ sơ lĩnh vực giáo dục.", GD, 1, 25,
                   "in_progress"),
          TaskLine("Công bố thủ tục đầu tư được rút ngắn thời gian giải quyết.", KH, 2, 10,
                   "on_time"))),
    Spec(12, "Họp chuyên đề về y tế cơ sở và tiêm chủng mở rộng", ONLINE, (14, 0), 2,
         "phochutich", (YT, TC, GD), 2,
         (Item("Báo cáo thực trạng mạng lưới y tế cơ sở", YT),),
         ("Củng cố mạng lưới y tế cơ sở là nhiệm vụ trọng tâm của ngành y tế.",),
         (TaskLine("Kiện toàn mạng lưới trạm y tế phường.", YT, 2, 20, "in_progress"),
          TaskLine("Bố trí kinh phí tiêm chủng mở rộng năm tới.", TC, 2, 25, "assigned"),
          TaskLine("Tổ chức khám sức khỏe định kỳ cho học sinh.", GD, 1, 30, "in_progress"),
          TaskLine("Rà soát nhân lực, trang thiết bị của các trạm y tế phường.",
                   YT, 1, 21, "assigned"))),
    Spec(4, "Họp chuẩn bị nội dung trình kỳ họp HĐND thành phố", ROOM_1, (8, 30), 2.5, "chutich",
         ALL, 1,
         (Item("Các tờ trình, dự thảo nghị quyết trình HĐND thành phố", None, 45, "investment",
               "Thông qua các tờ trình trình kỳ họp HĐND thành phố"),
          Item("Phụ lục danh mục dự án", KH, 20, "appendix")),
         ("Các sở chịu trách nhiệm về nội dung, số liệu các tờ trình trình HĐND.",),
         (TaskLine("Hoàn thiện hồ sơ tờ trình kế hoạch đầu tư công gửi Thường trực HĐND.",
                   KH, 1, 10, "assigned"),
          TaskLine("Chuẩn bị báo cáo giải trình ý kiến cử tri về trật tự xây dựng.",
                   XD, 2, 14, "assigned"),
          TaskLine("Chuẩn bị báo cáo giải trình ý kiến cử tri về khám, chữa bệnh.",
                   YT, 1, 14, "assigned"))),
)  # fmt: skip
