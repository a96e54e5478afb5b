"""What each fact field means, in Chinese and English, for docs/facts.md.

One line per field: ``field | 中文 | English``. A ``type.field`` line overrides the plain field's
meaning for that type. ``tests/facts/test_glossary.py`` checks that every field of every type has one.
"""

from __future__ import annotations

_TEXT = """
acquired_on | 取得日期 | date the item was acquired
action_id | 处分记录编号 | id of the disciplinary record
activity_id | 活动记录编号 | id of the activity record
after_failed_tender | 是否为招标失败后直接发包 | a direct award made after a failed tender
agency_credit_code | 招标代理机构统一社会信用代码 | credit code of the tender agency that ran it
agent_ref | 投标代理人(化名引用) | the bidder's agent, as a pseudonymous reference
alert_id | 关联预警指纹 | fingerprint of the alert this answers
amount | 金额(元) | amount in yuan
amount_delta | 变更金额(元，增为正) | change in price in yuan (increase positive)
application_id | 申请编号 | id of the application
appointment_id | 任职记录编号 | id of the appointment
appraisal_id | 考核记录编号 | id of the appraisal
approved | 是否经批准 | approved by the competent body
approved_at | 批准日期 | date of approval
approver_id | 审批人(干部编号) | cadre who approved it
assigned_on | 安排日期 | date assigned
assignment_id | 教育安排编号 | id of the education assignment
attendance_id | 出勤记录编号 | id of the attendance record
audit_id | 审计编号 | id of the audit
audit_type | 审计类型 | kind of audit
banquet_id | 事宜编号 | id of the occasion
bid_count | 开标时投标人数 | number of bids at opening
bid_id | 投标编号 | id of the bid
bidder_credit_code | 投标人统一社会信用代码 | bidder's unified social credit code
birth_date | 出生日期(仅显示年份) | date of birth (shown as the year only)
body | 作出决定的机关 | body that decided it
branch_id | 党支部编号 | party branch
cadre_id | 干部编号(化名) | the cadre's pseudonymous id
card_id | 加油卡卡号(化名引用) | the fuel card, as a reference
case_id | 选任案卷编号 | id of the selection case
cash | 是否为现金、礼金或有价证券 | cash, gift money or securities
category | 类别 | category
certified_progress_pct | 经确认的工程进度(%) | certified progress of the works, percent
change_id | 变更编号 | id of the change
channel | 来源渠道 | channel it came by
check_id | 查核编号 | id of the verification
claim_id | 报销单编号 | id of the claim
claimant_id | 报销人(干部编号) | cadre who claimed
closed_at | 办结日期 | date closed
companions | 陪餐人数 | number of hosts at the meal
complaint_id | 信访举报编号 | id of the complaint
complaints_checked | 是否已核查信访举报 | complaints were checked
completed_on | 完成日期 | date completed
contract_id | 合同编号 | id of the contract
counterparty_credit_code | 合同相对方统一社会信用代码 | counterparty's unified social credit code
credit_code | 企业统一社会信用代码 | enterprise's unified social credit code
crossing_id | 出入境记录编号 | id of the border-crossing record
custody_status | 保管状态 | custody status
date | 日期 | date
decided_at | 决定日期 | date decided
decided_by | 决定机关 | body that decided it
declaration_id | 申报编号 | id of the declaration
deposit_account | 投标保证金缴纳账户 | account the bid deposit was paid from
deposit_account_token | 保证金账户令牌 | token of the deposit account
destination | 目的地 | destination
discipline_body_id | 派驻纪检监察组 | resident discipline-inspection group
discipline_opinion_at | 征求纪检监察机关意见日期 | date the discipline body's opinion was obtained
disposition | 处置方式 | how it was disposed of
doc_author | 投标文件制作人 | author recorded in the bid document
doc_author_token | 文件制作人令牌 | token of the document author
doc_custody_scope | 是否属于证照集中保管范围 | in the scope of central custody of travel documents
doc_id | 证照编号 | id of the travel document
doc_no | 证照号码 | document number
doc_type | 证照类型 | kind of document
done_on | 完成日期 | date done
dossier_reviewed | 是否已审核干部人事档案 | personnel dossier reviewed
drawn_at | 领用日期 | date drawn from custody
due | 应完成日期 | due date
due_date | 计划执行日期 | date the plan is due
due_return | 应交回日期 | date due back
emigrated | 是否已移居国(境)外 | has emigrated
employer_credit_code | 所在企业统一社会信用代码 | credit code of the enterprise they work in or own
employer_role | 在企业中的身份 | role in that enterprise
end_date | 结束日期(在任为空) | end date (empty while current)
entry_at | 入境日期 | date of re-entry
est_value | 估算金额(元) | estimated value in yuan
established | 成立日期 | date established
event_date | 举办日期 | date of the occasion
event_id | 事项编号 | id of the event
executed | 是否已执行 | carried out
exemption_reason | 免于轮岗理由 | reason for exemption from rotation
exit_at | 出境日期 | date of exit
expiry_date | 有效期至 | expiry date
failed | 是否招标失败 | the tender failed
family | 风险类别 | risk family
filed_on | 报备日期 | date filed
finding_id | 审计发现编号 | id of the finding
first_seen | 首次发现日期 | date first seen
flag_id | 记录编号 | id of the record
followup_due | 应复查日期 | date the re-check is due
form | 四种形态(1-4) | which of the four forms (1-4)
found_by | 发现途径 | how it came to light
function | 机关职能 | function of the organ
gender | 性别 | gender
gift_id | 礼品记录编号 | id of the gift record
gifts_from_managed | 管理服务对象是否送礼 | people the cadre manages or serves gave gifts
grade | 等级 | grade
growth_place | 成长地(行政区划代码) | home area (region code)
guests | 接待对象或宾客人数 | number of guests
handover_id | 交接记录编号 | id of the handover
has_official_letter | 是否有公函 | an official letter of request exists
hit_id | 记录编号 | id of the hit
host_unit_id | 接待单位 | host unit
hour | 时(0-23) | hour of the day (0-23)
hours | 学时 | hours
household_income | 家庭年收入(元) | household income of the year, yuan
id_card_no | 身份证号 | resident ID number
industry | 行业 | industry
integrity_test_passed | 廉政知识测试是否合格 | passed the integrity test
intervention_id | 干预措施编号 | id of the intervention
invited_managed | 是否邀请管理服务对象 | people the cadre manages or serves were invited
invoice_date | 发票日期 | invoice date
invoice_no | 发票号码 | invoice number
is_leadership | 是否为领导班子成员职位 | a post on the leadership team
is_principal | 是否为主要负责人(正职) | the principal (head) post
issue_date | 签发日期 | date issued
item_code | 负面清单条目编码 | code of the negative-list item
item_id | 条目编号 | id of the item
kind | 种类 | kind
last_seen | 最近发现日期 | date last seen
left_on | 离职(退休、辞职、调离)日期 | date they left public service
legal_rep_id_no | 法定代表人身份证号 | legal representative's ID number
legal_rep_token | 法定代表人令牌 | token of the legal representative
level | 层级 | level
link_id | 关系编号 | id of the link
linked_alert_id | 关联预警 | alert it answers
list_type | 名单类型 | which list
listed_on | 列入日期 | date listed
litres | 加油量(升) | litres filled
management_authority | 干部管理权限 | which body manages the cadre
meeting_id | 会议编号 | id of the meeting
meeting_type | 会议类型 | kind of meeting
method | 采购方式 | procurement method
minutes | 停留时长(分钟) | minutes the car stayed
mismatched_categories | 不一致的事项类别 | report items that did not match
name | 姓名或名称 | name
named | 是否实名 | filed under a real name
opened_at | 开标日期 | date of opening
opened_on | 本次开启日期 | date it opened (or reopened)
org_unit_id | 所在单位 | org unit
outcome | 核查结论 | finding of the check
owner_unit_id | 建设(采购)单位 | owner (purchasing) unit
paid | 是否领取报酬 | paid for it
parent_credit_code | 控股股东企业信用代码 | credit code of the controlling enterprise
parent_id | 上级单位 | parent unit
passed | 是否合格 | passed
payee | 收款人 | payee
payment_id | 支付编号 | id of the payment
phone | 手机号码 | mobile phone number
plan_id | 计划编号 | id of the plan
planned_on | 计划日期 | date planned
pmr_checked | 是否已查核个人有关事项 | personal-matters report checked
political_score | 政治素质评价分 | political-quality score
political_status | 政治面貌 | political affiliation
port | 出入境口岸 | border port
position_id | 职位编号 | post
pre_talk_at | 任前廉政谈话日期 | date of the pre-appointment integrity talk
price | 投标报价(元) | bid price in yuan
project_id | 项目编号 | project
project_manager_ref | 项目经理(化名引用) | project manager, as a pseudonymous reference
publicity_end | 公示结束日期 | last day of publicity
publicity_start | 公示开始日期 | first day of publicity
rank | 名次 | rank
rank_level | 职级 | rank level
ranked | 参评单位数 | number of units ranked
received_at | 收到日期 | date received
received_on | 收受日期 | date received
rechecked_on | 复查日期 | date re-checked
record_id | 记录编号 | id of the record
rectified_at | 整改完成日期 | date rectified
rectify_due | 整改期限 | rectification deadline
region_code | 行政区划代码 | region code
registered_on | 登记或上交日期 | date registered or handed in
relation | 亲属关系 | family relation
relative_cadre_id | 亲属(干部编号) | the related member of staff
relative_id | 亲属编号 | id of the relative
removed_on | 移出日期 | date removed from the list
replied_at | 回复日期 | date replied
reply_due | 应回复日期 | date a reply is due
report_id | 报告编号 | id of the report
reported_in_pmr | 是否已在个人事项报告中报告 | reported in the personal-matters report
reporting_scope | 是否属于个人事项报告范围 | required to file personal-matters reports
residence_country | 居住国家(地区) | country of residence
responsible_cadre_ids | 责任干部 | cadres who answer for it
result | 查核结果 | result of the verification
returned_at | 交回日期 | date returned
reviewed | 是否经评审 | reviewed (cost review)
revoked | 是否已撤销 | revoked
risk_level | 岗位廉政风险等级 | integrity-risk level of the post
role | 担任职务 | role held
role_id | 任职记录编号 | id of the role
rule_id | 规则编号 | rule id
score | 成绩 | score
settlement_amount | 结算金额(元) | settled amount in yuan
signal_id | 信号编号(预警指纹) | signal id (the alert's fingerprint)
signed_on | 签订日期 | date signed
since | 起始日期 | since
source | 来源 | source
specificity | 具体程度 | how specific and checkable it is
stage | 所处环节 | stage of the process
staff_ref | 代理机构人员(化名引用) | the agency staff member, as a pseudonymous reference
start_date | 开始日期 | start date
started_at | 启动日期 | date started
station | 加油站 | filling station
status | 状态 | status
stop_id | 停留记录编号 | id of the stop record
subject_cadre_ids | 被反映干部 | cadres it names
submitted_at | 提交日期 | date submitted
superior_position_id | 直接上级职位 | the post this one reports to
tables | 桌数 | number of tables
target_position_id | 拟任职位 | post proposed
targeted | 是否为针对性教育 | targeted at an alert
tender_id | 招标编号 | id of the tender
tendered | 是否经招标 | awarded by tender
term_no | 届次 | term number in the post
tier | 审批限额(元) | approval tier in yuan
title | 名称 | title
tonight | 是否为本次扫描产生 | raised by tonight's scan
took_office_at | 到任日期 | date took office
topic | 主题 | topic
transferred | 是否已移送纪检监察机关 | handed to the discipline body
trigger | 查核起因 | what triggered the verification
truthful | 回复是否如实 | the reply was truthful
txn_id | 消费记录编号 | id of the transaction
type | 类型 | type
unit_id | 单位 | unit
upload_ip | 投标文件上传IP地址 | IP address the bid was uploaded from
upload_ip_token | 上传IP令牌 | token of the upload IP address
upload_mac | 投标文件上传MAC地址 | MAC address the bid was uploaded from
upload_mac_token | 上传MAC令牌 | token of the upload MAC address
value | 价值(元) | value in yuan
vehicle_id | 公务用车编号 | the official car
vendor_credit_code | 开票企业信用代码 | invoicing vendor's credit code
venue | 地点 | venue
venue_kind | 场所类别 | kind of venue
venue_name | 场所名称 | name of the venue
watched_since | 开始监测日期 | date the store began evaluating the cadre
whose | 本人或配偶 | the cadre or the spouse
winner_credit_code | 中标人统一社会信用代码 | winning bidder's credit code
work_score | 工作实绩评价分 | work-performance score
year | 年度 | year
appraisal_result.grade | 年度考核等次 | annual appraisal grade
agency_staff.role | 在代理机构的岗位 | post held in the agency
signal.grade | 预警等级 | alert grade
signal.rank | 等级序数(蓝0至红3) | grade as a number (blue 0 to red 3)
signal.status | 预警处置状态 | alert status
unit_appraisal.rank | 班子考核名次 | the team's rank
position.category | 岗位类别 | category of the post
position.title | 职位名称 | title of the post
org_unit.level | 单位层级(如 市级、县级、乡镇) | administrative level (市级, 县级, 乡镇)
org_unit.type | 单位性质 | kind of unit
org_unit.name | 单位名称 | name of the unit
enterprise.name | 企业名称 | name of the enterprise
cadre.name | 姓名 | name
relative.name | 亲属姓名 | relative's name
appointment.type | 任职方式 | how the post was taken
intervention.type | 干预措施类型 | kind of intervention
education_record.type | 教育类型 | kind of education
education_assignment.type | 教育类型 | kind of education
disciplinary_action.kind | 处分或组织处理种类 | kind of sanction or organisational measure
complaint.category | 问题类别(六大纪律、四风等) | issue category (six disciplines, four undesirable styles...)
life_event.kind | 事项种类 | kind of change
banquet_filing.kind | 事宜类别 | kind of occasion
pmr_asset.category | 资产类别 | kind of asset
personal_matters_report.kind | 报告类型(年度、随时、新任) | kind of report (annual, ad hoc, new appointee)
economic_audit.kind | 审计类型(任中、离任) | in office or on leaving
audit_finding.category | 问题类别 | kind of finding
expense_claim.category | 报销类别 | kind of expense
contract.category | 合同类别(施工、货物、服务) | works, goods or services
procurement_event.category | 采购类别(施工、货物、服务) | works, goods or services
rotation_plan.due_date | 计划轮岗日期 | date the rotation is due
volunteer_activity.kind | 活动类型 | kind of activity
negative_list_hit.source | 发现来源 | where it was found
gift_registration.value | 礼品价值(元) | value of the gift in yuan
quota_id | 职数记录编号 | id of the quota record
post_class | 职数类别 | class of posts
quota | 核定职数 | approved number of posts
filled | 实配人数 | posts filled
participation_id | 参与记录编号 | id of the participation record
decision_id | 决策事项编号 | id of the decision
recused | 已回避 | stood aside (recusal on record)
org_change.kind | 变动种类(主要负责人离任、机构改革、撤并) | kind of change (principal leaving, reorganisation, merger)
decision_participation.kind | 决策类别(审批、评标、资金、人事) | approval, bid evaluation, funds or personnel
decision_participation.role | 在决策中的角色 | part taken in the decision
decision_participation.counterparty_credit_code | 决策对方企业信用代码 | the firm the decision concerns
"""


def _parse() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    plain: dict[str, tuple[str, str]] = {}
    typed: dict[str, tuple[str, str]] = {}
    for line in _TEXT.strip().splitlines():
        name, zh, en = (part.strip() for part in line.split("|"))
        (typed if "." in name else plain)[name] = (zh, en)
    return plain, typed


_PLAIN, _TYPED = _parse()


def meaning(fact_type: str, field: str) -> tuple[str, str] | None:
    """(中文, English) meaning of a field of a fact type, or None if it is not described."""
    return _TYPED.get(f"{fact_type}.{field}") or _PLAIN.get(field)
