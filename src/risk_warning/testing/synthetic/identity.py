"""Plausible Chinese names, resident ID numbers with valid check digits (GB 11643-1999), phones."""

from __future__ import annotations

import random
from datetime import date, timedelta

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红玲文辉建国志勇海燕鹏飞晓东春梅"
    "丹宇浩然子涵欣怡雨轩思远博文嘉怡俊杰晨阳佳琪梓萱一鸣天宇婷婷立新建华永红学军卫东国庆德明"
)
# 行政区划代码 of some real counties and districts (浙江, 江苏, 四川, 湖北, 河南)
REGIONS = (
    "330102", "330106", "330421", "330424", "330602", "320106", "320281", "320583", "510104", "510107",
    "510681", "420102", "420106", "420683", "410105", "410122", "410302", "331002", "331082", "330782",
)  # fmt: skip
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    """The 18th character of a 身份证号 (GB 11643-1999, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("the first 17 characters of an ID number are digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number(rng: random.Random, born: date, male: bool, region: str | None = None) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)  # the 17th digit is odd for men
    body = f"{region or rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def valid_id_number(value: str) -> bool:
    return len(value) == 18 and value[:17].isdigit() and check_digit(value[:17]) == value[17].upper()


def name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def birth_date(rng: random.Random, as_of: date, youngest: int = 25, oldest: int = 58) -> date:
    return as_of - timedelta(days=rng.randrange(youngest * 365, oldest * 365))


def phone(rng: random.Random) -> str:
    return rng.choice(("139", "138", "186", "158", "177")) + f"{rng.randrange(10**8):08d}"
