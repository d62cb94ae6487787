"""Write the Word templates of the listing package into zhixing/disposal/builtin/:

    .venv/bin/python -m zhixing.disposal.doc_templates

the auction ruling for one asset, the auction announcement, and the notice to the parties and the
priority creditors. Same court style and helpers as the document set (zhixing/documents/builtin/
make_templates.py); the fields are those of documents.fields plus `auction` and `recipients`
(listing.auction_fields). The .docx files are generated: edit this script and run it again.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from zhixing.documents.builtin.make_templates import (
    AUCTION_RULES,
    CPL,
    OUTSTANDING,
    THE_BASIS,
    THE_CASE,
    heading,
    new_document,
    para,
    parties,
    salutation,
    signature_block,
    stable_zip,
)

HERE = Path(__file__).resolve().parent / "builtin"
ONLINE_AUCTION_RULES = "《最高人民法院关于人民法院网络司法拍卖若干问题的规定》"

PRICES = ("参考价{{ auction.reference_price_capital }}（{{ auction.reference_price }}，{{ auction.reference_method }}确定，"
          "有效期至{{ auction.reference_valid_until }}）；起拍价{{ auction.starting_price_capital }}（{{ auction.starting_price }}）"
          "{% if auction.reduction %}，{{ auction.reduction }}{% endif %}；保证金{{ auction.deposit_capital }}（{{ auction.deposit }}）；"
          "加价幅度{{ auction.increment }}。")


def ruling(doc) -> None:
    """执行裁定书（拍卖）of the one asset of the plan."""
    heading(doc, "执行裁定书")
    parties(doc)
    para(doc, "本院在执行" + THE_CASE + "中，执行依据为" + THE_BASIS + "。本院已于{{ auction.held_on }}依法"
         "{{ auction.held_by }}被执行人{{ auction.owner }}所有的{{ auction.asset }}，并责令被执行人在指定期间履行法律文书确定的义务，"
         "被执行人逾期仍未履行，尚欠" + OUTSTANDING + "。该财产已依法确定处置参考价{{ auction.reference_price_capital }}"
         "（{{ auction.reference_price }}，{{ auction.reference_method }}）。")
    para(doc, "依照" + CPL + "第二百五十五条、第二百五十八条，" + AUCTION_RULES + "第一条，" + ONLINE_AUCTION_RULES
         + "第二条、第十条规定，裁定如下：")
    para(doc, "拍卖被执行人{{ auction.owner }}所有的{{ auction.asset }}（{{ auction.details }}）。")
    para(doc, "拍卖通过{{ auction.platform }}网络司法拍卖平台进行，拍卖所得价款依法清偿申请执行人的债权及执行费用。")
    para(doc, "本裁定送达后即发生法律效力。")
    signature_block(doc, "ruling")


def announcement(doc) -> None:
    """拍卖公告 (法释〔2016〕18号第12、13条 for what it states)."""
    heading(doc, "拍卖公告")
    para(doc, "本院在执行" + THE_CASE + "中，将于{{ auction.starts_at }}起至{{ auction.ends_at }}止（延时的除外）在"
         "{{ auction.platform }}网络司法拍卖平台上公开进行{{ auction.round_title }}，现公告如下：")
    para(doc, "一、拍卖标的：{{ auction.asset_kind }}，{{ auction.asset }}（{{ auction.details }}），权利人{{ auction.owner }}。")
    para(doc, "二、价格：" + PRICES)
    para(doc, "三、竞价规则：竞价时间不少于{{ auction.bidding_hours }}小时；竞价程序结束前{{ auction.extension_minutes }}分钟内有人出价的，"
         "自动延时{{ auction.extension_minutes }}分钟。以不低于起拍价的最高应价者为买受人。")
    para(doc, "四、保证金：竞买人应在竞价程序开始前通过平台交纳保证金。申请执行人参加竞买的，可以不交保证金，但债权数额小于保证金数额的按差额部分交纳。"
         "买受人悔拍的，交纳的保证金不予退还。")
    para(doc, "五、看样：{% if auction.viewing %}{{ auction.viewing }}{% else %}有意者请与本院联系预约看样{% endif %}"
         "{% if auction.contact %}；联系人及电话：{{ auction.contact }}{% endif %}。")
    para(doc, "六、权利负担：{% if auction.encumbrances %}{{ auction.encumbrances }}{% else %}本院未发现其他权利负担{% endif %}。")
    para(doc, "七、税费：{% if auction.taxes %}{{ auction.taxes }}{% else %}过户所涉税费按照法律、行政法规规定由相应主体承担{% endif %}。")
    para(doc, "八、优先购买权人：{% if auction.priority_holders %}{{ auction.priority_holders }}，"
         "优先购买权人经通知未参与竞买的，视为放弃优先购买权。{% else %}本院未知有优先购买权人。{% endif %}")
    para(doc, "九、本次拍卖依照" + ONLINE_AUCTION_RULES + "第十二条于拍卖{{ auction.notice_days }}日前公告。"
         "拍卖标的以现状拍卖，本院不承担瑕疵担保责任。")
    signature_block(doc)


def notice(doc) -> None:
    """拍卖通知书 to the parties, known pre-emption holders and priority creditors (法释〔2016〕18号第16条)."""
    heading(doc, "拍卖通知书")
    salutation(doc, "{{ recipients }}：")
    para(doc, "本院在执行" + THE_CASE + "中，定于{{ auction.starts_at }}起至{{ auction.ends_at }}止在{{ auction.platform }}"
         "网络司法拍卖平台对{{ auction.owner }}所有的{{ auction.asset }}进行{{ auction.round_title }}，"
         "拍卖公告将于{{ auction.announce_on }}发布。" + PRICES)
    para(doc, "依照" + ONLINE_AUCTION_RULES + "第十六条规定，特此通知。享有优先购买权的，可以参加竞买并在同等条件下优先购买；"
         "经通知未参与竞买的，视为放弃优先购买权。对该财产享有担保物权等优先受偿权的债权人，可以依法主张优先受偿。")
    para(doc, "当事人、利害关系人认为拍卖行为违法的，可以依法向本院提出异议。")
    signature_block(doc)


BUILDERS = {
    "auction_ruling": ("执行裁定书（拍卖）", ruling),
    "auction_announcement": ("拍卖公告", announcement),
    "auction_notice": ("拍卖通知书", notice),
}


def build(code: str) -> bytes:
    title, builder = BUILDERS[code]
    doc = new_document(title)
    doc.core_properties.comments = "由 zhixing/disposal/doc_templates.py 生成"
    builder(doc)
    out = io.BytesIO()
    doc.save(out)
    return stable_zip(out.getvalue())


def build_all(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for code in BUILDERS:
        path = out_dir / f"{code}.docx"
        path.write_bytes(build(code))
        paths.append(path)
    return paths


def blob(code: str) -> bytes:
    return (HERE / f"{code}.docx").read_bytes()


if __name__ == "__main__":
    for written in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
