"""The past meetings' papers: a few short Vietnamese PDFs made once, stored once, shown often.

Set like the sample meeting's documents (``demo/documents.py``: Decree 30 letterhead, the
Tinos serif, "Trang x/y"), but short and not tied to a date, so that every weekly briefing can
carry the same weekly report, every session the same monthly report. The units' task reports
(progress, result) are made here too.
"""

from __future__ import annotations

from fpdf import FPDF

from ...pdf.fonts import without_open_action
from ..documents import _centered, _letterhead, _OfficialPdf, _parse, _render_blocks, _title

WEEK = """
# I. KẾT QUẢ CÔNG TÁC TRONG TUẦN
@1. Công tác chỉ đạo, điều hành. Lãnh đạo UBND thành phố đã chủ trì các cuộc họp chuyên đề,
  làm việc với các sở, ngành và UBND các phường; ban hành các văn bản chỉ đạo kịp thời.
@2. Kinh tế - tài chính. Thu ngân sách trong tuần đạt tiến độ đề ra; giải ngân vốn đầu tư
  công tiếp tục được đôn đốc; tình hình sản xuất, kinh doanh ổn định.
@3. Văn hóa - xã hội. Các hoạt động văn hóa, thể thao diễn ra an toàn; công tác phòng,
  chống dịch bệnh được duy trì; các chính sách an sinh xã hội được chi trả đầy đủ, đúng hạn.
@4. Đô thị - xây dựng. Các công trình trọng điểm thi công đúng tiến độ; công tác kiểm tra
  trật tự xây dựng, vệ sinh môi trường được tăng cường.
# II. CHƯƠNG TRÌNH CÔNG TÁC TUẦN TỚI
Tiếp tục triển khai các nhiệm vụ theo chương trình công tác; chuẩn bị nội dung các cuộc họp
  chuyên đề; đôn đốc các sở, ngành thực hiện các kết luận, chỉ đạo của lãnh đạo UBND thành
  phố còn đang thực hiện hoặc đã quá hạn.
# III. ĐỀ XUẤT, KIẾN NGHỊ
Đề nghị các sở, ngành báo cáo kết quả thực hiện nhiệm vụ được giao đúng thời hạn, gửi về
  Văn phòng UBND thành phố qua hệ thống quản lý văn bản để tổng hợp.
"""

MONTH = """
# I. TÌNH HÌNH KINH TẾ - XÃ HỘI TRONG THÁNG
@1. Về kinh tế. Tổng sản phẩm trên địa bàn tiếp tục tăng trưởng; giá trị sản xuất công nghiệp
  tăng so với cùng kỳ; tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng tăng khá.
@2. Về tài chính - ngân sách. Thu ngân sách nhà nước đạt tiến độ dự toán; chi ngân sách bảo
  đảm các nhiệm vụ chi thường xuyên và chi đầu tư phát triển theo kế hoạch.
@3. Về đầu tư. Tỷ lệ giải ngân vốn đầu tư công còn thấp so với yêu cầu; một số dự án chậm do
  vướng mắc giải phóng mặt bằng.
@4. Về văn hóa - xã hội. Giáo dục, y tế, văn hóa, thể thao được quan tâm; an sinh xã hội
  bảo đảm; quốc phòng, an ninh được giữ vững.
# II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM THÁNG TỚI
@1. Tập trung tháo gỡ khó khăn. Tháo gỡ vướng mắc cho các dự án, đẩy nhanh giải ngân vốn
  đầu tư công; hỗ trợ doanh nghiệp phục hồi sản xuất, kinh doanh.
@2. Tăng thu, tiết kiệm chi. Quyết liệt thu ngân sách, chống thất thu; triệt để tiết kiệm chi
  thường xuyên.
@3. Cải cách hành chính. Đẩy mạnh cải cách thủ tục hành chính, chuyển đổi số; nâng cao chỉ số
  hài lòng của người dân và doanh nghiệp.
"""

TOPIC = """
# I. TÌNH HÌNH THỰC HIỆN
Thực hiện chỉ đạo của UBND thành phố, các sở, ngành đã xây dựng kế hoạch, phân công lãnh đạo
  phụ trách và tổ chức triển khai các nội dung được giao; định kỳ kiểm tra, đôn đốc và báo cáo.
Đến nay, phần lớn các nhiệm vụ đã hoàn thành hoặc đạt tiến độ; một số nhiệm vụ còn chậm do
  nguyên nhân khách quan và chủ quan, cần tập trung chỉ đạo trong thời gian tới.
# II. KHÓ KHĂN, VƯỚNG MẮC
Một số quy định pháp luật còn chồng chéo; sự phối hợp giữa các đơn vị có lúc chưa chặt chẽ;
  nguồn lực thực hiện còn hạn chế so với yêu cầu nhiệm vụ.
# III. NHIỆM VỤ, GIẢI PHÁP
Tiếp tục rà soát, phân công rõ người, rõ việc, rõ thời hạn, rõ kết quả; tăng cường kiểm tra,
  giám sát; kịp thời báo cáo, đề xuất tháo gỡ những vướng mắc vượt thẩm quyền.
# IV. ĐỀ XUẤT, KIẾN NGHỊ
Kính đề nghị UBND thành phố xem xét, cho ý kiến chỉ đạo để các đơn vị có cơ sở triển khai.
"""

PROGRESS = """
Thực hiện nhiệm vụ được giao tại Thông báo kết luận của lãnh đạo UBND thành phố, đơn vị đã
  phân công lãnh đạo phụ trách, xây dựng kế hoạch và triển khai thực hiện.
Đến nay, đơn vị đã hoàn thành khảo sát, thu thập số liệu và đang tổng hợp, dự thảo báo cáo.
  Đơn vị sẽ tiếp tục triển khai, bảo đảm hoàn thành trong thời hạn được giao.
"""

RESULT = """
Thực hiện nhiệm vụ được giao tại Thông báo kết luận của lãnh đạo UBND thành phố, đơn vị đã
  tổ chức triển khai và hoàn thành nhiệm vụ.
Kết quả cụ thể được thể hiện tại hồ sơ kèm theo. Kính báo cáo lãnh đạo UBND thành phố xem
  xét, cho ý kiến.
"""


def build_papers() -> dict[str, bytes]:
    """Return the PDFs by name: week, month, topic (meeting papers); progress, result (tasks)."""
    return {
        "week": _paper("Báo cáo kết quả công tác tuần", "Kết quả công tác tuần và chương "
                       "trình công tác tuần tới", WEEK),
        "month": _paper("Báo cáo tình hình kinh tế - xã hội", "Tình hình kinh tế - xã hội "
                        "trong tháng và nhiệm vụ, giải pháp trọng tâm tháng tới", MONTH),
        "topic": _paper("Báo cáo chuyên đề", "Kết quả thực hiện nhiệm vụ chuyên đề và đề xuất, "
                        "kiến nghị", TOPIC),
        "progress": _paper("Báo cáo tiến độ thực hiện nhiệm vụ", "Tiến độ thực hiện nhiệm vụ "
                           "được giao tại Thông báo kết luận", PROGRESS),
        "result": _paper("Báo cáo kết quả thực hiện nhiệm vụ", "Kết quả thực hiện nhiệm vụ được "
                         "giao tại Thông báo kết luận", RESULT),
    }  # fmt: skip


def _paper(title: str, subject: str, markup: str) -> bytes:
    """Return a short report (BÁO CÁO) with a blank number and date, as sent to a meeting."""
    pdf = _OfficialPdf(title)
    _letterhead(pdf, "Số:        /BC", "ngày      tháng      năm        ", draft=True)
    _title(pdf, "BÁO CÁO", subject)
    _render_blocks(pdf, _parse(markup))
    _signed(pdf)
    return without_open_action(pdf)


def _signed(pdf: FPDF) -> None:
    """Draw the head of the unit's signature block, on the right."""
    right_x, right_w = pdf.l_margin + 80, pdf.epw - 80
    pdf.set_y(pdf.y + 4)
    _centered(pdf, right_x, right_w, "THỦ TRƯỞNG ĐƠN VỊ", "B", 12)
    _centered(pdf, right_x, right_w, "(Ký, ghi rõ họ tên)", "I", 11)
