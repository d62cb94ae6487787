"""Word lists for demo people, companies and addresses. Made-up combinations; any likeness is chance."""

from __future__ import annotations

import random

# Common surnames, weighted roughly by their frequency in Zhejiang (陈, 王, 张, 李 … then local ones: 俞, 楼, 应).
_SURNAMES = (
    ("陈", 60), ("王", 55), ("张", 45), ("李", 45), ("吴", 30), ("徐", 28), ("周", 28), ("金", 20), ("胡", 20),
    ("朱", 18), ("杨", 18), ("沈", 16), ("刘", 16), ("黄", 15), ("叶", 14), ("钱", 12), ("孙", 12), ("潘", 11),
    ("何", 10), ("蒋", 10), ("方", 10), ("郑", 10), ("俞", 9), ("赵", 9), ("章", 8), ("楼", 7), ("应", 7),
    ("林", 8), ("傅", 6), ("汪", 6), ("毛", 6), ("范", 6), ("邵", 6), ("许", 6), ("马", 6), ("吕", 5),
    ("姚", 5), ("丁", 5), ("冯", 5), ("袁", 5), ("施", 5), ("童", 4), ("屠", 3), ("缪", 2), ("戴", 4),
    ("高", 5), ("郭", 5), ("任", 4), ("宋", 4), ("韩", 4), ("夏", 4), ("谢", 4), ("唐", 4), ("罗", 4),
    ("梁", 3), ("曹", 3), ("程", 3), ("严", 3), ("鲁", 3), ("卢", 3), ("贾", 2), ("魏", 3), ("葛", 3),
    ("欧阳", 1), ("诸葛", 1), ("司马", 1),
)
SURNAMES = tuple(s for s, _ in _SURNAMES)
SURNAME_WEIGHTS = tuple(w for _, w in _SURNAMES)

GIVEN_MALE = tuple(
    "伟强磊军勇杰涛斌超明华建国平林峰浩鹏宇辉刚健俊波亮志文龙海飞鑫凯晨阳东春成康宏良荣庆祥胜德兴金根"
    "永福忠立新民松江伟卫彬昊然哲睿博航旭鸣俊坤炜晓剑锋"
)
GIVEN_FEMALE = tuple(
    "芳娜敏静丽艳娟霞秀英玲燕萍红婷雪琳颖慧洁倩佳蕾莉梅兰凤琴云晶欣怡悦雯瑶琪露薇莹岚珍玉芬素娅璐萱"
)


def person_name(rng: random.Random, *, female: bool) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    pool = GIVEN_FEMALE if female else GIVEN_MALE
    if rng.random() < 0.3:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool) + rng.choice(pool)


# 字号 (trade names), industries and company forms: 杭州 + 鑫达 + 贸易 + 有限公司.
TRADE_NAMES = (
    "鑫达", "恒远", "华通", "宏发", "金盛", "永安", "天成", "瑞丰", "嘉禾", "博远", "中联", "恒信", "汇通", "盛隆",
    "立兴", "万顺", "东润", "新禾", "和泰", "锦程", "创联", "正元", "海纳", "鼎盛", "弘毅", "骏达", "星辰",
    "钱塘", "西子", "之江", "越秀", "甬江", "四明", "明州", "天一", "东钱", "三江", "富春", "运河", "良渚",
    "启航", "卓越", "德润", "广宇", "诚泰", "聚丰", "宝利", "佳和", "华信", "安泰", "盛世", "开元", "腾飞",
    "同创", "汇金", "融信", "凯旋", "旺财", "大成", "合力", "远洋", "中天", "百川", "千禧", "乐居",
)
INDUSTRIES = (
    "贸易", "建筑工程", "科技", "实业", "餐饮管理", "房地产开发", "物流", "装饰工程", "服装", "电子商务", "机械设备",
    "网络科技", "文化传媒", "投资管理", "汽车销售", "农业开发", "供应链管理", "新材料", "生物科技", "纺织",
    "印染", "五金", "塑料制品", "建材", "食品", "家具", "化工", "电器", "酒店管理", "物业管理", "广告", "服饰",
    "园林绿化", "包装", "模具", "汽车租赁", "劳务", "钢结构", "水产", "茶业",
)
COMPANY_FORMS = (("有限公司", 80), ("有限责任公司", 12), ("股份有限公司", 8))
OTHER_ORGANISATION_FORMS = ("经营部", "商行", "工作室", "服务部", "门市部")

# Names of the disputes behind the judgments being enforced, with the word for the principal owed.
DISPUTES = (
    ("民间借贷纠纷", "借款本金", 30),
    ("买卖合同纠纷", "货款", 22),
    ("金融借款合同纠纷", "借款本金", 14),
    ("建设工程施工合同纠纷", "工程款", 7),
    ("劳务合同纠纷", "劳务费", 6),
    ("房屋租赁合同纠纷", "租金", 6),
    ("机动车交通事故责任纠纷", "赔偿款", 6),
    ("服务合同纠纷", "服务费", 4),
    ("信用卡纠纷", "透支本金", 5),
)

ROADS = (
    "文三路", "文二西路", "天目山路", "古墩路", "教工路", "学院路", "文一西路", "莫干山路", "凤起路", "环城北路",
    "解放路", "庆春路", "延安路", "中山北路", "建国路", "秋涛路", "湖墅南路", "丰潭路", "留和路", "之江路",
    "中山西路", "解放南路", "药行街", "人民路", "大闸路", "洪塘路", "天童南路", "钱湖北路", "首南路", "鄞州大道",
    "兴宁路", "百丈路", "江东北路", "环城西路", "望春路", "新河路", "康庄路", "民和路", "建设路", "东湖路",
)
ESTATES = ("花园", "家园", "小区", "新村", "公寓", "苑", "府", "雅苑", "名邸", "嘉园")
ESTATE_WORDS = ("金色", "阳光", "翠苑", "湖畔", "文华", "锦绣", "紫金", "桂花", "和睦", "春江", "星洲", "丽景")

MOBILE_PREFIXES = ("138", "139", "136", "137", "158", "159", "150", "151", "152", "186", "187", "188", "189",
                   "180", "181", "177", "135", "133", "153", "199", "130", "131", "155", "157", "183", "182")


def company_name(rng: random.Random, *, place: str) -> str:
    form = rng.choices([f for f, _ in COMPANY_FORMS], weights=[w for _, w in COMPANY_FORMS])[0]
    return f"{place}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}{form}"


def organisation_name(rng: random.Random, *, place: str) -> str:
    return f"{place}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}{rng.choice(OTHER_ORGANISATION_FORMS)}"


def lender_name(rng: random.Random, *, city: str, district: str) -> str:
    """Banks, microcredit and guarantee companies: the usual applicants of financial cases."""
    kind = rng.random()
    trade = rng.choice(TRADE_NAMES)
    if kind < 0.5:
        return f"浙江{trade}农村商业银行股份有限公司{district}支行"
    if kind < 0.8:
        return f"{city}{district}{trade}小额贷款股份有限公司"
    return f"{city}{trade}融资担保有限公司"


def street_address(rng: random.Random, *, place: str) -> str:
    if rng.random() < 0.6:
        estate = rng.choice(ESTATE_WORDS) + rng.choice(ESTATES)
        return f"{place}{rng.choice(ROADS)}{rng.randint(1, 999)}号{estate}{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    return f"{place}{rng.choice(ROADS)}{rng.randint(1, 999)}号"


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
