"""A realistic case for the demo, the benchmark and the tests.

An 83-year-old in 某某村 (Haiyuan county, Ningxia) claims the 80周岁以上高龄津贴;
his son comes to the station for him. The bank passbook is missing and
accepted under 容缺 with a date to bring it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from printing.model import (
    CaseDocument,
    DecisionDocument,
    LedgerRow,
    MaterialLine,
    MaterialStatus,
    Party,
)

TOWNSHIP = "海原县海城镇便民服务中心"


def sample_case() -> CaseDocument:
    """The demo's 高龄津贴 case at 640522100201 某某村便民服务站, one material deferred."""
    return CaseDocument(
        case_number="640522100201-20261122-0007",
        item_code="640522-GLJT-001",
        item_name="80周岁以上高龄津贴申领",
        item_version=3,
        station_name="某某村便民服务站",
        station_division="640522100201",
        agent_name="李秀兰",
        agent_phone="13909541234",
        agent_id_number="640522198803150020",
        applicant=Party(
            "马建国", "640522197005120033", "13895401122", "海原县海城镇某某村三组18号"
        ),
        principal=Party(
            "马占福", "640522194302080011", "0954-4012345", "海原县海城镇某某村三组18号"
        ),
        relation="relative",
        materials=(
            MaterialLine(
                "高龄津贴申请表", 1, True, MaterialStatus.provided, None, "本人或代办人签字、捺印"
            ),
            MaterialLine(
                "居民身份证",
                1,
                True,
                MaterialStatus.provided,
                None,
                "原件核验后退还，复印件正反面",
                handling="returned",
            ),
            MaterialLine(
                "居民户口簿", 1, False, MaterialStatus.shared, None, "户籍信息经数据共享核验"
            ),
            MaterialLine(
                "社会保障卡或银行存折",
                1,
                False,
                MaterialStatus.deferred,
                date(2026, 12, 4),
                "本人名下、已激活，复印有账号的一页，字迹清晰",
            ),
            MaterialLine(
                "代办人居民身份证",
                1,
                True,
                MaterialStatus.provided,
                None,
                "原件核验后退还，复印件正反面",
                handling="returned",
            ),
        ),
        received_at=datetime(2026, 11, 22, 10, 32),
        promised_days=15,
        due_date=date(2026, 12, 14),
        next_step=f"3个工作日内报送{TOWNSHIP}审核，再报县民政局审批",
        enquiry="代办员电话 13909541234；县政务服务热线 0954-12345",
        township_name=TOWNSHIP,
        verify_url="https://zwfw.haiyuan.gov.cn/v/640522100201-20261122-0007",
        complaint_phone="0954-12345",
        fee=Decimal("0"),
    )


def sample_rejection() -> DecisionDocument:
    """The township refuses the sample case (the resident is under 80)."""
    return DecisionDocument(
        case=sample_case(),
        reason="经核验，服务对象截至申请之日未满80周岁，不符合高龄津贴申领条件。",
        decided_by=TOWNSHIP,
        decided_at=date(2026, 11, 25),
        document_number="海城便民不受〔2026〕3号",
        apply_instead="年满60周岁的，可向海城镇人民政府申请老年人优待证；生活困难的，可申请临时救助",
        review_authority="海原县人民政府",
        court="海原县人民法院",
        officer="田志强",
        officer_phone="0954-4011234",
    )


def sample_acceptance() -> DecisionDocument:
    """The township accepts the sample case (受理); the county's 民政局 decides it."""
    return DecisionDocument(
        case=sample_case(),
        reason="",
        decided_by=TOWNSHIP,
        decided_at=date(2026, 11, 25),
        document_number="海城便民受〔2026〕15号",
        legal_basis="《中华人民共和国老年人权益保障法》第三十三条",
        due_date=date(2026, 12, 16),
        promised_days=15,
        legal_days=20,
        decider="海原县民政局",
        officer="田志强",
        officer_phone="0955-4011234",
        office_phone="0955-4012345",
    )


def sample_correction() -> DecisionDocument:
    """The township returns the sample case for correction (补正)."""
    case = sample_case()
    return DecisionDocument(
        case=case,
        reason="申请材料不齐全：社会保障卡或银行存折复印件未提交，申请表缺少委托人捺印。",
        decided_by=TOWNSHIP,
        decided_at=date(2026, 11, 25),
        document_number="海城便民补〔2026〕87号",
        corrections=(
            MaterialLine(
                "社会保障卡或银行存折",
                1,
                False,
                MaterialStatus.missing,
                date(2026, 12, 4),
                "本人名下、已激活，复印有账号的一页，字迹清晰",
            ),
            MaterialLine(
                "高龄津贴申请表",
                1,
                True,
                MaterialStatus.missing,
                date(2026, 12, 4),
                "委托人本人捺印；不能签字的由代办人代签并注明",
            ),
        ),
        correction_deadline=date(2026, 12, 4),
        officer="田志强",
        officer_phone="0954-4011234",
    )


def _id_number(n: int) -> str:
    """A well-formed (GB 11643 check character) ID of someone born in the 1940s."""
    body = f"640522194{n % 7}{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 500 + 100:03d}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    check = (12 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


_NAMES = ("马占福", "李桂英", "田玉兰", "杨志明", "马秀珍", "海福成", "王淑芳", "苏建华")
_ITEMS = ("80周岁以上高龄津贴申领", "城乡居民基本养老保险待遇申领", "社会保障卡补领", "临时救助")


def sample_ledger_rows(count: int, start: date = date(2026, 11, 1)) -> list[LedgerRow]:
    """``count`` plausible ledger rows from ``start`` on (for the demo and the benchmark)."""
    rows = []
    for n in range(count):
        day = start + timedelta(days=n // 12)
        done = n % 3 != 0
        rows.append(
            LedgerRow(
                case_number=f"640522100201-{day:%Y%m%d}-{n % 12 + 1:04d}",
                received_on=day,
                resident=Party(_NAMES[n % len(_NAMES)], _id_number(n), f"13895{n:06d}"),
                item_name=_ITEMS[n % len(_ITEMS)],
                handling=("代办", "帮办", "上门")[n % 3],
                materials="身份证、户口簿复印件各1份" + ("；存折容缺" if n % 5 == 0 else ""),
                forwarded_to="海城镇便民服务中心",
                forwarded_on=day + timedelta(days=1),
                promised_on=day + timedelta(days=21),
                completed_on=day + timedelta(days=14) if done else None,
                handover=f"本人领取 {day + timedelta(days=16):%m-%d}" if done else "",
                rating="满意" if done else "",
                agent="李秀兰",
                state="已送达" if done else "办理中",
                vulnerability=("高龄", "残疾", "独居")[n % 3],
            )
        )
    return rows
