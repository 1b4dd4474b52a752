"""The Vietnamese text of the demo documents (content only; layout is in demo.documents)."""

# Content markup (see demo.documents._parse): "# " heading, "/ " italic, "^ " centred bold,
# "^/ " centred italic, "@ " paragraph with a bold lead ("Điều 1."), "---" page break;
# indented lines continue a block.

PROPOSAL = """\
Căn cứ Luật Tổ chức chính quyền địa phương; Luật Đầu tư công; Luật Ngân sách nhà nước và các
  văn bản hướng dẫn thi hành;
Căn cứ Nghị quyết số 15/NQ-HĐND ngày 10 tháng 7 năm 2026 của Hội đồng nhân dân Thành phố về
  Kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030;
Ủy ban nhân dân Thành phố kính trình Hội đồng nhân dân Thành phố xem xét, thông qua Kế hoạch
  đầu tư công năm 2027 với các nội dung chủ yếu như sau:
# I. SỰ CẦN THIẾT
Năm 2027 là năm thứ hai thực hiện Kế hoạch phát triển kinh tế - xã hội 5 năm 2026 - 2030 và
  Kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030 của Thành phố. Việc sớm thông qua Kế
  hoạch đầu tư công năm 2027 tạo cơ sở pháp lý để giao vốn cho các chủ đầu tư ngay từ đầu năm,
  bảo đảm tiến độ thực hiện và giải ngân, tránh tình trạng dàn trải, phân tán nguồn lực.
Theo quy định của Luật Đầu tư công, Ủy ban nhân dân Thành phố có trách nhiệm lập kế hoạch đầu
  tư công hằng năm, trình Hội đồng nhân dân Thành phố quyết định tại kỳ họp cuối năm.
# II. TÌNH HÌNH THỰC HIỆN KẾ HOẠCH ĐẦU TƯ CÔNG NĂM 2026
Tổng kế hoạch vốn đầu tư công năm 2026 được Hội đồng nhân dân Thành phố giao là 4.600 tỷ
  đồng. Lũy kế giải ngân đến ngày 20 tháng 10 năm 2026 đạt 3.151 tỷ đồng, bằng 68,5% kế hoạch,
  cao hơn cùng kỳ năm 2025 khoảng 6,2 điểm phần trăm. Ước đến ngày 31 tháng 01 năm 2027, giá
  trị giải ngân đạt trên 95% kế hoạch vốn được giao.
Một số dự án trọng điểm đã hoàn thành, đưa vào sử dụng và phát huy hiệu quả như: Cầu Tân An,
  Trường Trung học phổ thông Xuân Lâm, giai đoạn 1 Hệ thống thoát nước phía Nam. Dự án Đường
  vành đai 2 đã hoàn thành giải phóng mặt bằng 92% diện tích, phấn đấu thông xe kỹ thuật trong
  quý III năm 2027.
Bên cạnh kết quả đạt được, công tác giải phóng mặt bằng tại một số dự án còn chậm; năng lực
  của một số chủ đầu tư, nhà thầu còn hạn chế; giá một số loại vật liệu xây dựng biến động làm
  phát sinh thủ tục điều chỉnh dự án.
# III. MỤC TIÊU VÀ NGUYÊN TẮC PHÂN BỔ VỐN
# 1. Mục tiêu
Tập trung nguồn lực hoàn thành các dự án trọng điểm, có tính kết nối vùng; ưu tiên hạ tầng
  giao thông, giáo dục, y tế, chuyển đổi số và thích ứng với biến đổi khí hậu; nâng cao hiệu
  quả sử dụng vốn đầu tư công, phấn đấu giải ngân 100% kế hoạch vốn.
# 2. Nguyên tắc phân bổ
a) Bố trí đủ vốn để thanh toán nợ đọng xây dựng cơ bản (nếu có) và thu hồi các khoản vốn ứng
  trước;
b) Ưu tiên bố trí vốn cho các dự án chuyển tiếp, dự án dự kiến hoàn thành trong năm 2027; bố
  trí vốn đối ứng cho các dự án sử dụng vốn ODA và vốn vay ưu đãi nước ngoài;
c) Chỉ bố trí vốn khởi công mới cho các dự án đã có đủ thủ tục đầu tư theo quy định và đã được
  xác định nguồn vốn, khả năng cân đối vốn;
d) Dành khoảng 5% tổng kế hoạch làm dự phòng để xử lý các vấn đề phát sinh trong quá trình
  thực hiện.
# IV. DỰ KIẾN KẾ HOẠCH ĐẦU TƯ CÔNG NĂM 2027
# 1. Tổng nguồn vốn
Tổng kế hoạch vốn đầu tư công năm 2027 dự kiến là 4.850 tỷ đồng, tăng 5,4% so với kế hoạch
  năm 2026, gồm:
- Vốn cân đối ngân sách địa phương (không bao gồm tiền sử dụng đất): 3.120 tỷ đồng;
- Nguồn thu tiền sử dụng đất: 500 tỷ đồng;
- Vốn ngân sách trung ương bổ sung có mục tiêu: 1.230 tỷ đồng.
# 2. Phương án phân bổ theo lĩnh vực
- Giao thông: 1.940 tỷ đồng (40,0%);
- Giáo dục và đào tạo: 728 tỷ đồng (15,0%);
- Y tế: 485 tỷ đồng (10,0%);
- Chuyển đổi số: 388 tỷ đồng (8,0%);
- Môi trường, thoát nước và ứng phó biến đổi khí hậu: 679 tỷ đồng (14,0%);
- Văn hóa, thể thao và xã hội: 291 tỷ đồng (6,0%);
- Chuẩn bị đầu tư và dự phòng: 339 tỷ đồng (7,0%).
Danh mục chi tiết các dự án và mức vốn dự kiến bố trí tại Phụ lục kèm theo Tờ trình này.
# V. GIẢI PHÁP TỔ CHỨC THỰC HIỆN
1. Giao kế hoạch vốn chi tiết cho các chủ đầu tư trước ngày 31 tháng 12 năm 2026; yêu cầu chủ
  đầu tư lập kế hoạch giải ngân theo từng tháng, từng quý và cam kết tiến độ.
2. Đẩy mạnh công tác bồi thường, hỗ trợ, tái định cư; thành lập các tổ công tác đặc biệt do
  lãnh đạo Ủy ban nhân dân Thành phố làm tổ trưởng để tháo gỡ vướng mắc tại các dự án trọng
  điểm.
3. Kịp thời điều chuyển vốn từ các dự án giải ngân chậm sang các dự án có khả năng giải ngân
  tốt; xử lý trách nhiệm tổ chức, cá nhân gây chậm trễ.
4. Tăng cường ứng dụng công nghệ thông tin trong quản lý đầu tư công; công khai tiến độ giải
  ngân của từng chủ đầu tư trên Cổng thông tin điện tử Thành phố.
# VI. KIẾN NGHỊ
Ủy ban nhân dân Thành phố kính trình Hội đồng nhân dân Thành phố xem xét, ban hành Nghị quyết
  thông qua Kế hoạch đầu tư công năm 2027; giao Ủy ban nhân dân Thành phố tổ chức thực hiện và
  báo cáo kết quả tại kỳ họp cuối năm 2027./.
/ (Kèm theo dự thảo Nghị quyết và Phụ lục danh mục dự án)
"""

PROPOSAL_RECIPIENTS = """
- Như trên;
- Thường trực Thành ủy;
- Thường trực HĐND Thành phố;
- Các Ban của HĐND Thành phố;
- Chủ tịch, các PCT UBND Thành phố;
- Sở Tài chính;
- Lưu: VT, KT.
"""

REPORT_BEFORE_TABLE = """\
Thực hiện Chương trình công tác năm 2026, Ủy ban nhân dân Thành phố báo cáo tình hình kinh tế -
  xã hội 10 tháng năm 2026 và nhiệm vụ, giải pháp trọng tâm 2 tháng cuối năm như sau:
# I. KẾT QUẢ THỰC HIỆN 10 THÁNG NĂM 2026
# 1. Về phát triển kinh tế
Kinh tế của Thành phố tiếp tục tăng trưởng khá. Tốc độ tăng tổng sản phẩm trên địa bàn (GRDP)
  10 tháng ước đạt 8,4%, vượt mục tiêu đề ra (8,0%); trong đó khu vực công nghiệp - xây dựng
  tăng 10,1%, khu vực dịch vụ tăng 8,2%, khu vực nông, lâm nghiệp và thủy sản tăng 3,1%.
Thu ngân sách nhà nước trên địa bàn ước đạt 12.450 tỷ đồng, bằng 86,2% dự toán năm, tăng 11,4%
  so với cùng kỳ. Chi ngân sách địa phương được quản lý chặt chẽ, bảo đảm các nhiệm vụ chi
  thường xuyên và an sinh xã hội.
Giải ngân vốn đầu tư công đạt 3.151 tỷ đồng, bằng 68,5% kế hoạch; có 14/38 chủ đầu tư đạt tỷ
  lệ giải ngân trên 75%. Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng ước đạt 49.880
  tỷ đồng, tăng 9,6%. Kim ngạch xuất khẩu ước đạt 1.955 triệu USD, tăng 12,3% so với cùng kỳ.
Du lịch tiếp tục là điểm sáng với 3.864 nghìn lượt khách, tăng 15,2%; doanh thu du lịch ước
  đạt 7.120 tỷ đồng. Trong 10 tháng có 1.236 doanh nghiệp thành lập mới với tổng vốn đăng ký
  14.800 tỷ đồng. Một số chỉ tiêu chủ yếu được tổng hợp tại Bảng 1.
^ Bảng 1. Một số chỉ tiêu chủ yếu 10 tháng năm 2026
"""

INDICATORS = """
TT | Chỉ tiêu | Đơn vị tính | Kế hoạch năm 2026 | Ước thực hiện 10 tháng | So với kế hoạch (%)
1 | Tốc độ tăng tổng sản phẩm trên địa bàn (GRDP) | % | 8,0 | 8,4 | -
2 | Thu ngân sách nhà nước trên địa bàn | tỷ đồng | 14.440 | 12.450 | 86,2
3 | Giải ngân vốn đầu tư công | tỷ đồng | 4.600 | 3.151 | 68,5
4 | Kim ngạch xuất khẩu | triệu USD | 2.300 | 1.955 | 85,0
5 | Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng | tỷ đồng | 58.000 | 49.880 | 86,0
6 | Lượt khách du lịch | nghìn lượt | 4.200 | 3.864 | 92,0
7 | Doanh nghiệp thành lập mới | doanh nghiệp | 1.500 | 1.236 | 82,4
8 | Số lao động được tạo việc làm mới | người | 22.000 | 19.140 | 87,0
9 | Tỷ lệ hồ sơ thủ tục hành chính trực tuyến toàn trình | % | 60,0 | 63,5 | 105,8
10 | Tỷ lệ hộ nghèo | % | dưới 1,5 | 1,35 | -
"""

REPORT_AFTER_TABLE = """\
^/ (Số liệu ước thực hiện đến hết ngày 31 tháng 10 năm 2026)
# 2. Về văn hóa - xã hội
Ngành giáo dục hoàn thành tốt kỳ thi tốt nghiệp trung học phổ thông năm 2026 với tỷ lệ tốt
  nghiệp đạt 99,1%; năm học 2026 - 2027 được khai giảng đúng kế hoạch với 218.400 học sinh các
  cấp. Công tác chăm sóc sức khỏe nhân dân được bảo đảm; tỷ lệ người dân tham gia bảo hiểm y tế
  đạt 94,6%.
Các chính sách an sinh xã hội được thực hiện đầy đủ, kịp thời. Thành phố đã giải quyết việc làm
  cho 19.140 lao động, đạt 87% kế hoạch; hỗ trợ xây dựng, sửa chữa 312 căn nhà cho hộ nghèo, hộ
  có hoàn cảnh khó khăn. Tỷ lệ hộ nghèo giảm còn 1,35%.
# 3. Về cải cách hành chính và chuyển đổi số
Chính quyền địa phương hai cấp vận hành ổn định, thông suốt. Tỷ lệ hồ sơ thủ tục hành chính
  được tiếp nhận và giải quyết trực tuyến toàn trình đạt 63,5%, vượt chỉ tiêu năm; 98,7% hồ sơ
  được giải quyết đúng hạn. Hệ thống phòng họp không giấy được triển khai tại Ủy ban nhân dân
  Thành phố và 100% sở, ngành, giúp giảm khoảng 1,2 triệu trang tài liệu in mỗi năm.
# 4. Về quốc phòng, an ninh
Tình hình an ninh chính trị, trật tự an toàn xã hội được giữ vững. Tai nạn giao thông giảm trên
  cả ba tiêu chí so với cùng kỳ. Công tác tuyển quân, huấn luyện lực lượng dân quân tự vệ và
  diễn tập khu vực phòng thủ được thực hiện đúng kế hoạch.
# II. HẠN CHẾ, KHÓ KHĂN
1. Tỷ lệ giải ngân vốn đầu tư công tuy cao hơn cùng kỳ nhưng chưa đạt yêu cầu; một số dự án
  trọng điểm còn vướng mắc trong giải phóng mặt bằng.
2. Sản xuất công nghiệp ở một số ngành chịu tác động của giá nguyên liệu đầu vào tăng và đơn
  hàng xuất khẩu giảm.
3. Việc khai thác, tái sử dụng dữ liệu trong giải quyết thủ tục hành chính ở một số phường, xã
  còn hạn chế; hạ tầng số ở khu vực ngoại thành chưa đồng bộ.
# III. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM 2 THÁNG CUỐI NĂM 2026
1. Tập trung tháo gỡ khó khăn, đẩy nhanh tiến độ giải ngân vốn đầu tư công, phấn đấu đạt trên
  95% kế hoạch; chuẩn bị các điều kiện để giao kế hoạch vốn năm 2027 ngay từ đầu năm.
2. Tăng cường các biện pháp chống thất thu, phấn đấu thu ngân sách vượt 5% dự toán được giao;
  thực hành tiết kiệm, chống lãng phí.
3. Bảo đảm cung ứng hàng hóa, bình ổn giá cả thị trường dịp cuối năm và Tết Nguyên đán Đinh Mùi
  2027; chăm lo Tết cho người có công, hộ nghèo và người lao động có hoàn cảnh khó khăn.
4. Hoàn thành các báo cáo, đề án trình kỳ họp cuối năm của Hội đồng nhân dân Thành phố; xây
  dựng Kế hoạch phát triển kinh tế - xã hội năm 2027.
5. Giữ vững an ninh chính trị, trật tự an toàn xã hội; tổ chức tốt các hoạt động chào mừng năm
  mới.
Trên đây là báo cáo tình hình kinh tế - xã hội 10 tháng năm 2026 và nhiệm vụ, giải pháp trọng
  tâm 2 tháng cuối năm 2026 của Ủy ban nhân dân Thành phố./.
"""

REPORT_RECIPIENTS = """
- Văn phòng Chính phủ;
- Thường trực Thành ủy;
- Thường trực HĐND Thành phố;
- Chủ tịch, các PCT UBND Thành phố;
- Các sở, ban, ngành Thành phố;
- UBND các phường, xã;
- Lưu: VT, TH.
"""

DECISION = """\
^ ỦY BAN NHÂN DÂN THÀNH PHỐ HÒA BÌNH XANH
/ Căn cứ Luật Tổ chức chính quyền địa phương;
/ Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;
/ Căn cứ Nghị quyết số 01/NQ-HĐND ngày 25 tháng 6 năm 2026 của Hội đồng nhân dân Thành phố về
  việc bầu các chức danh của Ủy ban nhân dân Thành phố nhiệm kỳ 2026 - 2031;
/ Theo đề nghị của Chánh Văn phòng Ủy ban nhân dân Thành phố.
^ QUYẾT ĐỊNH:
@ Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Ủy ban nhân dân Thành phố Hòa
  Bình Xanh nhiệm kỳ 2026 - 2031.
@ Điều 2. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 1520/QĐ-UBND ngày
  12 tháng 8 năm 2021 của Ủy ban nhân dân Thành phố ban hành Quy chế làm việc nhiệm kỳ
  2021 - 2026.
@ Điều 3. Chánh Văn phòng Ủy ban nhân dân Thành phố, Giám đốc các sở, Thủ trưởng các ban, ngành
  thuộc Ủy ban nhân dân Thành phố, Chủ tịch Ủy ban nhân dân các phường, xã và các tổ chức, cá
  nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.
"""

DECISION_RECIPIENTS = """
- Như Điều 3;
- Thường trực Thành ủy;
- Thường trực HĐND Thành phố;
- Chủ tịch, các PCT UBND Thành phố;
- Cổng thông tin điện tử Thành phố;
- Lưu: VT, TH.
"""

RULES = """\
^/ (Ban hành kèm theo Quyết định số      /QĐ-UBND ngày      tháng 11 năm 2026 của Ủy ban nhân
  dân Thành phố)
^ Chương I
^ QUY ĐỊNH CHUNG
# Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng
1. Quy chế này quy định về nguyên tắc, chế độ trách nhiệm, lề lối làm việc, trình tự giải quyết
  công việc và quan hệ công tác của Ủy ban nhân dân Thành phố Hòa Bình Xanh.
2. Thành viên Ủy ban nhân dân Thành phố, Thủ trưởng các cơ quan chuyên môn thuộc Ủy ban nhân dân
  Thành phố, Chủ tịch Ủy ban nhân dân các phường, xã và các tổ chức, cá nhân có quan hệ làm việc
  với Ủy ban nhân dân Thành phố chịu sự điều chỉnh của Quy chế này.
# Điều 2. Nguyên tắc làm việc
1. Ủy ban nhân dân Thành phố làm việc theo chế độ tập thể kết hợp với đề cao trách nhiệm cá
  nhân của Chủ tịch và từng thành viên Ủy ban nhân dân Thành phố. Mỗi việc chỉ giao một cơ quan,
  một người chủ trì và chịu trách nhiệm chính.
2. Tuân thủ trình tự, thủ tục và thời hạn giải quyết công việc theo quy định của pháp luật,
  chương trình, kế hoạch công tác và Quy chế này; bảo đảm công khai, minh bạch và hiệu quả.
3. Đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số trong chỉ đạo, điều hành; sử dụng văn
  bản điện tử, chữ ký số và phòng họp không giấy thay thế văn bản giấy, trừ trường hợp pháp
  luật có quy định khác.
^ Chương II
^ TRÁCH NHIỆM, PHẠM VI GIẢI QUYẾT CÔNG VIỆC
# Điều 3. Trách nhiệm, phạm vi giải quyết công việc của Ủy ban nhân dân Thành phố
1. Ủy ban nhân dân Thành phố thảo luận tập thể và quyết định theo đa số các vấn đề thuộc thẩm
  quyền quy định tại Luật Tổ chức chính quyền địa phương và các luật có liên quan.
2. Cách thức giải quyết công việc: thảo luận và biểu quyết tại phiên họp Ủy ban nhân dân Thành
  phố; trường hợp không tổ chức họp, Văn phòng Ủy ban nhân dân Thành phố gửi hồ sơ lấy ý kiến
  các thành viên bằng phiếu điện tử trên hệ thống quản lý văn bản.
# Điều 4. Trách nhiệm, phạm vi giải quyết công việc của Chủ tịch Ủy ban nhân dân Thành phố
1. Chủ tịch Ủy ban nhân dân Thành phố là người đứng đầu, lãnh đạo và điều hành công việc của Ủy
  ban nhân dân Thành phố, chịu trách nhiệm cá nhân về việc thực hiện nhiệm vụ, quyền hạn của
  mình.
2. Chủ tịch Ủy ban nhân dân Thành phố trực tiếp chỉ đạo các lĩnh vực quy hoạch, tổ chức bộ máy,
  cán bộ, quốc phòng, an ninh và phân công các Phó Chủ tịch phụ trách các lĩnh vực còn lại.
# Điều 5. Trách nhiệm, phạm vi giải quyết công việc của Phó Chủ tịch Ủy ban nhân dân Thành phố
Phó Chủ tịch Ủy ban nhân dân Thành phố được Chủ tịch phân công chỉ đạo, giải quyết công việc
  thuộc lĩnh vực được giao; nhân danh Chủ tịch khi giải quyết công việc và chịu trách nhiệm
  trước Chủ tịch, trước pháp luật về quyết định của mình.
^ Chương III
^ CHẾ ĐỘ HỌP VÀ PHÒNG HỌP KHÔNG GIẤY
# Điều 6. Phiên họp Ủy ban nhân dân Thành phố
1. Ủy ban nhân dân Thành phố họp thường kỳ mỗi tháng một lần vào tuần cuối của tháng; họp
  chuyên đề hoặc họp đột xuất theo quyết định của Chủ tịch hoặc theo yêu cầu của ít nhất một
  phần ba tổng số thành viên Ủy ban nhân dân Thành phố.
2. Phiên họp chỉ được tiến hành khi có ít nhất hai phần ba tổng số thành viên tham dự. Nội dung,
  chương trình phiên họp do Chủ tịch quyết định trên cơ sở đề nghị của Chánh Văn phòng Ủy ban
  nhân dân Thành phố.
# Điều 7. Tài liệu và biểu quyết trên hệ thống phòng họp không giấy
1. Tài liệu phiên họp được phát hành dưới dạng điện tử trên hệ thống phòng họp không giấy chậm
  nhất 03 ngày làm việc trước ngày họp; tài liệu mật thực hiện theo quy định về bảo vệ bí mật
  nhà nước.
2. Thành viên dự họp nghiên cứu tài liệu, ghi chú và cho ý kiến trực tiếp trên hệ thống. Kết
  quả biểu quyết được hệ thống ghi nhận theo thời gian thực và được thư ký phiên họp xác nhận
  trước khi kết thúc phiên họp.
3. Biên bản và thông báo kết luận phiên họp được ký số, lưu trữ trên hệ thống và gửi đến các cơ
  quan, đơn vị có liên quan trong thời hạn 03 ngày làm việc kể từ ngày kết thúc phiên họp.
^ Chương IV
^ ĐIỀU KHOẢN THI HÀNH
# Điều 8. Tổ chức thực hiện
1. Chánh Văn phòng Ủy ban nhân dân Thành phố có trách nhiệm theo dõi, đôn đốc, kiểm tra việc
  thực hiện Quy chế này; định kỳ hằng năm báo cáo Ủy ban nhân dân Thành phố.
2. Trong quá trình thực hiện, nếu có vướng mắc hoặc cần sửa đổi, bổ sung, các cơ quan, đơn vị
  phản ánh về Văn phòng Ủy ban nhân dân Thành phố để tổng hợp, báo cáo Chủ tịch Ủy ban nhân dân
  Thành phố xem xét, quyết định./.
"""

APPENDIX_INTRO = """\
^/ (Kèm theo Tờ trình số 218/TTr-UBND ngày 28 tháng 10 năm 2026 của Ủy ban nhân dân Thành phố)
^ Biểu 1. Danh mục dự án và mức vốn dự kiến bố trí
"""

PROJECTS_HEAD = [
    "TT",
    "Danh mục dự án",
    "Địa điểm xây dựng",
    "Thời gian KC-HT",
    "Tổng mức đầu tư",
    "Kế hoạch năm 2027",
]
FUNDING_HEAD = [
    "TT",
    "Lĩnh vực",
    "Kế hoạch năm 2027",
    "Ngân sách địa phương",
    "Tiền sử dụng đất",
    "Ngân sách trung ương",
]

# "# numeral | sector | land-use fees | central budget" opens a sector (the local budget share is
# the rest of the sector's plan); project lines: name | place | years | total cost | plan 2027.
PROJECTS = """
# I | Giao thông | 250_000 | 650_000
Đường vành đai 2, đoạn Xuân Lâm - Tân An | Phường Xuân Lâm, Phường Tân An | 2025-2028 | 2_850_000
  | 620_000
Cầu Sông Đào 2 | Phường Sông Đào | 2026-2029 | 1_480_000 | 410_000
Nâng cấp, mở rộng đường Lê Lợi kéo dài | Phường Hòa Bình | 2026-2028 | 760_000 | 285_000
Nút giao khác mức Ngã Năm | Phường Tân An | 2027-2029 | 1_120_000 | 230_000
Đường trục Phú Mỹ - Đông Sơn | Xã Phú Mỹ, Xã Đông Sơn | 2026-2028 | 540_000 | 215_000
Hệ thống giao thông thông minh (ITS), giai đoạn 1 | Toàn thành phố | 2026-2027 | 310_000 | 180_000
# II | Giáo dục và đào tạo | 100_000 | 150_000
Trường THPT Chuyên Hòa Bình Xanh (cơ sở 2) | Phường Xuân Lâm | 2026-2028 | 620_000 | 240_000
Trường Tiểu học Tân An | Phường Tân An | 2026-2027 | 145_000 | 98_000
Trường Trung học cơ sở Đông Sơn | Xã Đông Sơn | 2027-2028 | 168_000 | 90_000
Trường Mầm non Thanh Lương | Xã Thanh Lương | 2027-2028 | 72_000 | 50_000
Cải tạo, sửa chữa 12 trường học xuống cấp | Các phường, xã | 2027 | 250_000 | 250_000
# III | Y tế | 50_000 | 180_000
Bệnh viện Đa khoa Thành phố - khối điều trị nội trú 500 giường | Phường Hòa Bình | 2025-2028
  | 1_350_000 | 300_000
Trung tâm Kiểm soát bệnh tật Thành phố | Phường Sông Đào | 2026-2027 | 210_000 | 115_000
Nâng cấp 8 trạm y tế phường, xã | Các phường, xã | 2027 | 70_000 | 70_000
# IV | Chuyển đổi số | 0 | 50_000
Trung tâm dữ liệu Thành phố | Phường Hòa Bình | 2026-2027 | 260_000 | 150_000
Hệ thống phòng họp không giấy và chữ ký số dùng chung | Toàn thành phố | 2027 | 48_000 | 48_000
Nâng cấp nền tảng tích hợp, chia sẻ dữ liệu (LGSP) | Toàn thành phố | 2026-2027 | 95_000 | 60_000
Camera giám sát an ninh trật tự, giai đoạn 2 | Toàn thành phố | 2027-2028 | 240_000 | 130_000
# V | Môi trường, thoát nước và ứng phó biến đổi khí hậu | 100_000 | 200_000
Nhà máy xử lý nước thải phía Bắc, công suất 30.000 m³/ngày đêm | Phường Xuân Lâm | 2025-2028
  | 1_150_000 | 310_000
Cải tạo, nạo vét kênh Tân An | Phường Tân An | 2026-2027 | 320_000 | 164_000
Kè chống sạt lở bờ sông Đào (dài 2,4 km) | Phường Sông Đào | 2026-2028 | 430_000 | 145_000
Khu xử lý chất thải rắn Đông Sơn, giai đoạn 2 | Xã Đông Sơn | 2027-2029 | 380_000 | 60_000
# VI | Văn hóa, thể thao và xã hội | 0 | 0
Nhà văn hóa - Trung tâm thể thao Thành phố | Phường Hòa Bình | 2026-2028 | 420_000 | 150_000
Công viên trung tâm Sông Đào | Phường Sông Đào | 2026-2027 | 185_000 | 96_000
Tu bổ, tôn tạo di tích đình làng Phú Mỹ | Xã Phú Mỹ | 2027 | 45_000 | 45_000
# VII | Chuẩn bị đầu tư và dự phòng | 0 | 0
Chuẩn bị đầu tư các dự án khởi công mới giai đoạn 2027 - 2028 | Toàn thành phố | 2027 | 0
  | 89_000
Dự phòng chưa phân bổ | Toàn thành phố | 2027 | 0 | 250_000
"""

APPENDIX_NOTES = """\
# Ghi chú:
1. Tổng mức đầu tư theo quyết định phê duyệt dự án hoặc chủ trương đầu tư; đối với dự án khởi
  công mới là tổng mức đầu tư dự kiến.
2. Các dự án khởi công mới chỉ được giao vốn sau khi có quyết định đầu tư theo quy định của
  Luật Đầu tư công.
3. Danh mục và mức vốn của từng dự án có thể được điều chỉnh theo ý kiến của Hội đồng nhân dân
  Thành phố tại kỳ họp.
"""
