"""The field list: every name a document template may use, with its meaning and an example.

A template is a Word file with Jinja tags ({{ case.number }}, {%tr for m in measures %} …). The
same tree checks an uploaded template — an unknown or misspelt field is refused by name, with the
known ones listed — and is printed for clerks (docs/documents.md, the templates page).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import Environment, nodes


@dataclass(frozen=True)
class Leaf:
    label: str
    example: str = ""


@dataclass(frozen=True)
class Group:
    label: str
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rows:
    """A list; each row has `fields`. Loop over it: {%tr for row in measures %}…{%tr endfor %}."""

    label: str
    fields: dict = field(default_factory=dict)


PARTY = {
    "name": Leaf("姓名或名称", "张三"),
    "role": Leaf("诉讼地位", "被执行人"),
    "kind": Leaf("当事人类型", "自然人"),
    "gender": Leaf("性别（自然人，由身份证号得出）", "男"),
    "birth_on": Leaf("出生日期", "1980年1月1日"),
    "id_number": Leaf("公民身份号码", "110101198001011237"),
    "credit_code": Leaf("统一社会信用代码", "91110108MA01ABCD2X"),
    "legal_representative": Leaf("法定代表人或负责人", "李四"),
    "address": Leaf("住所", "北京市海淀区中关村大街1号"),
    "phone": Leaf("联系电话", "13800000000"),
    "description": Leaf("当事人身份事项（一句）", "张三，男，1980年1月1日出生，公民身份号码110101198001011237，住北京市海淀区中关村大街1号"),
}

MEASURE = {
    "kind": Leaf("措施", "冻结"),
    "asset": Leaf("财产", "银行存款 中国工商银行北京海淀支行 6222000011112222"),
    "asset_kind": Leaf("财产类别", "银行存款"),
    "owner": Leaf("权利人", "张三"),
    "started_on": Leaf("起始日", "2026年3月2日"),
    "ends_on": Leaf("法定届满日", "2027年3月1日"),
    "period": Leaf("期限", "一年"),
    "amount": Leaf("金额（数字）", "120,000.00元"),
    "amount_capital": Leaf("金额（大写）", "人民币壹拾贰万元整"),
    "status": Leaf("状态", "有效"),
    "rank": Leaf("顺位", "第一顺位"),
    "document_number": Leaf("文书号", "（2026）京0108执1234号之一"),
    "addressee": Leaf("协助执行单位", "中国工商银行北京海淀支行"),
    "citation": Leaf("法律依据", "民诉法解释（2022）第485条（不超过一年）"),
}

FIELDS: dict = {
    "court": Group("法院", {
        "name": Leaf("法院名称", "北京市海淀区人民法院"),
    }),
    "case": Group("案件", {
        "number": Leaf("案号", "（2026）京0108执1234号"),
        "type": Leaf("案件类型", "首次执行（执）"),
        "filed_on": Leaf("立案日期", "2026年1月5日"),
        "claim_amount": Leaf("申请执行标的（数字）", "120,000.00元"),
        "claim_amount_capital": Leaf("申请执行标的（大写）", "人民币壹拾贰万元整"),
        "performed_amount": Leaf("已执行到位（数字）", "0.00元"),
        "performed_amount_capital": Leaf("已执行到位（大写）", "人民币零元整"),
        "outstanding_amount": Leaf("未履行（数字）", "120,000.00元"),
        "outstanding_amount_capital": Leaf("未履行（大写）", "人民币壹拾贰万元整"),
        "application_fee": Leaf("申请执行费（数字）", "1,700.00元"),
        "application_fee_capital": Leaf("申请执行费（大写）", "人民币壹仟柒佰元整"),
        "handler": Leaf("承办人", "王法官"),
        "team": Leaf("承办团队", "执行一团队"),
        "applicant_names": Leaf("申请执行人（顿号分隔）", "某某银行股份有限公司"),
        "respondent_names": Leaf("被执行人（顿号分隔）", "张三、李四"),
        "closed_on": Leaf("结案日期", ""),
        "closing_type": Leaf("结案方式", ""),
    }),
    "basis": Group("执行依据", {
        "document_number": Leaf("执行依据文书号", "（2025）京0108民初5678号"),
        "issuing_court": Leaf("作出机关", "北京市海淀区人民法院"),
        "effective_on": Leaf("生效日期", "2025年11月20日"),
        "main_text": Leaf("判决主文", "被告张三于判决生效之日起十日内偿还原告借款本金120000元及利息。"),
    }),
    "applicants": Rows("申请执行人", PARTY),
    "respondents": Rows("被执行人", PARTY),
    "claims": Rows("申请执行标的构成", {
        "kind": Leaf("类别", "本金"),
        "amount": Leaf("金额（数字）", "120,000.00元"),
        "amount_capital": Leaf("金额（大写）", "人民币壹拾贰万元整"),
        "note": Leaf("说明", ""),
    }),
    "measures": Rows("控制措施（本文书所涉种类；一般文书为全部）", MEASURE),
    "measure": Group("本文书针对的一项控制措施（协助执行通知书）", MEASURE),
    "assets": Rows("已查明财产", {
        "kind": Leaf("财产类别", "机动车"),
        "description": Leaf("财产", "机动车 京A12345"),
        "owner": Leaf("权利人", "张三"),
        "found_on": Leaf("发现日期", "2026年2月1日"),
        "found_via": Leaf("发现途径", "网络查控"),
        "value": Leaf("金额或价值（数字）", "3,250.00元"),
        "value_capital": Leaf("金额或价值（大写）", "人民币叁仟贰佰伍拾元整"),
    }),
    "investigation": Rows("财产调查（5+X+Y，逐个被执行人逐项）", {
        "respondent": Leaf("被执行人", "张三"),
        "item": Leaf("调查事项", "银行存款"),
        "group": Leaf("类别", "5（网络查控）"),
        "result": Leaf("结果", "无财产"),
        "sent_on": Leaf("发起日期", "2026年1月8日"),
        "replied_on": Leaf("反馈日期", "2026年1月12日"),
        "note": Leaf("说明", ""),
    }),
    "sanctions": Rows("执行措施与制裁（限制消费、失信、强制措施等）", {
        "name": Leaf("措施", "发出限制消费令"),
        "on": Leaf("日期", "2026年1月8日"),
        "note": Leaf("说明", ""),
    }),
    "steps": Group("程序节点日期（未发生的为空）", {
        "enforcement_notice": Leaf("发出执行通知书", "2026年1月6日"),
        "property_report_order": Leaf("发出报告财产令", "2026年1月6日"),
        "network_query": Leaf("首次网络查控", "2026年1月8日"),
        "consumption_restriction": Leaf("限制消费", "2026年1月8日"),
        "dishonest_listing": Leaf("纳入失信名单", ""),
        "interview": Leaf("终本约谈", ""),
        "zhongben_started": Leaf("启动终本程序", ""),
    }),
    "zhongben_checks": Rows("终本条件核查（法〔2016〕373号，与案件页、结案校验同一数据）", {
        "title": Leaf("条件", "约谈申请执行人"), "article": Leaf("条款", "第5条"),
        "result": Leaf("核查结果", "已满足"), "proof": Leaf("证明材料", "流程节点“终本约谈”"),
    }),
    "origin_case": Group("原案（恢复执行案件）", {
        "number": Leaf("原案号", "（2025）京0108执999号"),
        "closing_type": Leaf("原案结案方式", "终结本次执行程序"),
        "closed_on": Leaf("原案结案日期", "2025年9月30日"),
    }),
    "served": Group("送达（送达回证）", {
        "document": Leaf("送达文书名称", "执行通知书、报告财产令"),
        "addressee": Leaf("受送达人", "张三"),
        "address": Leaf("送达地址", "北京市海淀区中关村大街1号"),
        "method": Leaf("送达方式", "直接送达"),
    }),
    "reward": Group("悬赏", {
        "amount": Leaf("悬赏金（数字）", "5,000.00元"),
        "amount_capital": Leaf("悬赏金（大写）", "人民币伍仟元整"),
        "applicant": Leaf("悬赏申请人", "某某银行股份有限公司"),
        "contact": Leaf("联系人及电话", "王法官 010-12345678"),
        "valid_until": Leaf("悬赏期限至", "2027年1月31日"),
    }),
    "distribution": Group("财产分配方案", {
        "available": Leaf("可供分配金额（数字）", "100,000.00元"),
        "available_capital": Leaf("可供分配金额（大写）", "人民币壹拾万元整"),
        "costs": Leaf("执行费用（数字）", "1,500.00元"),
        "costs_capital": Leaf("执行费用（大写）", "人民币壹仟伍佰元整"),
        "method": Leaf("分配原则", "按债权比例受偿"),
        "citation": Leaf("法律依据", "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百零六条、第五百零八条"),
        "total_claims": Leaf("参与分配债权合计（数字）", "200,000.00元"),
        "remaining": Leaf("分配后未受偿部分说明", "未受偿部分，债权人可继续申请执行"),
        "objection_days": Leaf("提出异议的期间（日，汉字）", "十五"),
        "rows": Rows("分配表", {
            "creditor": Leaf("债权人", "某某银行股份有限公司"),
            "case_number": Leaf("案号", "（2026）京0108执1234号"),
            "claim": Leaf("债权额（数字）", "120,000.00元"),
            "ratio": Leaf("受偿比例", "49.25%"),
            "share": Leaf("分配金额（数字）", "49,261.08元"),
            "share_capital": Leaf("分配金额（大写）", "人民币肆万玖仟贰佰陆拾壹元零捌分"),
        }),
    }),
    "document": Group("本文书", {
        "title": Leaf("文书名称", "执行通知书"),
        "number": Leaf("文书号", "（2026）京0108执1234号"),
        "version": Leaf("版本（同一案件第几次生成）", "1"),
        "issued_on": Leaf("落款日期（汉字）", "二〇二六年十一月二十三日"),
        "issued_on_text": Leaf("落款日期（数字）", "2026年11月23日"),
    }),
    "signatures": Group("署名", {
        "judge": Leaf("审判员/执行员", "王法官"),
        "judge_title": Leaf("职务", "审判员"),
        "clerk": Leaf("书记员", "赵书记员"),
        "generated_by": Leaf("生成人", "赵书记员"),
    }),
    "seal": Leaf("院印位置标记", "（院印）"),
}

# Jinja's own names inside templates.
_BUILTIN_NAMES = frozenset({"loop", "range", "lipsum", "dict", "cycler", "joiner", "namespace", "True", "False", "None",
                            "true", "false", "none"})


def known_paths(tree: dict | None = None, prefix: str = "") -> list[tuple[str, str]]:
    """Every usable name with its label: [("case.number", "案号"), ("respondents[].name", …), …]."""
    out: list[tuple[str, str]] = []
    for name, spec in (tree or FIELDS).items():
        path = f"{prefix}{name}"
        if isinstance(spec, Leaf):
            out.append((path, spec.label))
        elif isinstance(spec, Rows):
            out.append((path, spec.label + "（列表）"))
            out.extend(known_paths(spec.fields, f"{path}[]."))
        else:
            out.extend(known_paths(spec.fields, f"{path}."))
    return out


def sample_context(tree: dict | None = None):
    """A context with every field set to its example: renders any valid template (upload check)."""
    out: dict = {}
    for name, spec in (tree or FIELDS).items():
        if isinstance(spec, Leaf):
            out[name] = spec.example
        elif isinstance(spec, Rows):
            out[name] = [sample_context(spec.fields), sample_context(spec.fields)]
        else:
            out[name] = sample_context(spec.fields)
    return out


_ANY = object()  # something a template built itself ({% set %}, macro arguments): not checked


@dataclass
class _Checker:
    bad: set = field(default_factory=set)

    def resolve(self, node, scope: dict):
        """(spec, path) of an expression like case.number or m.asset; records unknown names."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in _BUILTIN_NAMES:
                return _ANY, node.name
            self.bad.add(node.name)
            return _ANY, node.name
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            spec, path = self.resolve(node.node, scope)
            if isinstance(node, nodes.Getitem):
                self.visit(node.arg, scope)
                if isinstance(spec, Rows) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, int):
                    return Group(spec.label, spec.fields), f"{path}[]"
                if not isinstance(node.arg, nodes.Const) or not isinstance(node.arg.value, str):
                    return _ANY, path
                attr = node.arg.value
            else:
                attr = node.attr
            if isinstance(spec, Group):
                child = spec.fields.get(attr)
                if child is None:
                    self.bad.add(f"{path}.{attr}")
                    return _ANY, f"{path}.{attr}"
                return child, f"{path}.{attr}"
            return _ANY, f"{path}.{attr}"  # a string's or a list's own methods (|upper, .strip())
        self.visit(node, scope)
        return _ANY, ""

    def visit(self, node, scope: dict) -> None:
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            self.resolve(node, scope)
            return
        if isinstance(node, nodes.For):
            spec, path = self.resolve(node.iter, scope)
            inner = dict(scope)
            item = (Group(spec.label, spec.fields), f"{path}[]") if isinstance(spec, Rows) else (_ANY, path)
            self._bind(node.target, item, inner)
            inner["loop"] = (_ANY, "loop")
            if node.test is not None:
                self.visit(node.test, inner)
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            return
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            self._bind(node.target, (_ANY, ""), scope)
            return
        if isinstance(node, nodes.AssignBlock):
            for child in node.body:
                self.visit(child, scope)
            self._bind(node.target, (_ANY, ""), scope)
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            for arg in getattr(node, "args", []):
                self._bind(arg, (_ANY, ""), inner)
            if isinstance(node, nodes.Macro):
                scope[node.name] = (_ANY, node.name)
            for child in node.body:
                self.visit(child, inner)
            if isinstance(node, nodes.CallBlock):
                self.visit(node.call, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    @staticmethod
    def _bind(target, value, scope: dict) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = value
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                _Checker._bind(item, (_ANY, ""), scope)


def unknown_fields(source: str) -> list[str]:
    """The names in a Jinja source that the field list does not know, sorted. Raises
    TemplateSyntaxError for a broken tag."""
    tree = Environment().parse(source)
    checker = _Checker()
    scope = {name: (spec, name) for name, spec in FIELDS.items()}
    checker.visit(tree, scope)
    return sorted(checker.bad)

