"""Demo catalogue for the ``seed_demo`` management command.

Plain Python data, no Django imports: a set of generic retail-bank products and
short recommended wordings (话术) per lobby situation and staff role. All texts are
written for this project; product names are generic, not any real bank's brand.

Placeholders allowed in script texts:
    {label}  the customer's masked label (王先生 / Mr Wang)
    {staff}  a colleague's name, e.g. the wealth manager being introduced
"""

CATEGORIES = [
    "channel",
    "deposit",
    "wealth",
    "fund",
    "insurance",
    "precious_metal",
    "treasury_bond",
    "loan",
]

ROLES = [
    "lobby_manager",
    "lobby_assistant",
    "teller_high",
    "teller_low",
    "wealth_manager",
]

SITUATIONS = [
    ("greet_vip", "迎接贵宾客户", "Greeting a VIP customer"),
    ("ask_vip_service", "试探了解贵宾服务", "Asking about VIP services"),
    ("greet_regular", "迎接普通客户", "Greeting a regular customer"),
    ("ask_need", "询问办理业务", "Asking what the customer needs"),
    ("introduce_wealth_manager", "引荐理财经理", "Introducing a wealth manager"),
    ("brief_wealth_manager", "向理财经理简要转介", "Briefing the wealth manager"),
    ("steer_self_service", "引导自助办理", "Steering to self-service"),
    ("guide_self_service_machine", "指导使用自助设备", "Helping at a self-service machine"),
    ("send_to_form_desk", "引导填单", "Sending to the form desk"),
    ("give_ticket", "协助取号", "Handing over a queue ticket"),
    ("waiting_browsing_brochure", "等候区·翻看产品资料", "Waiting zone: browsing leaflets"),
    ("waiting_small_cash", "等候区·持卡或少量现金", "Waiting zone: card or small cash"),
    ("waiting_looking_around", "等候区·四处张望", "Waiting zone: looking around"),
    ("waiting_hot_product", "等候区·介绍热销产品", "Waiting zone: pointing out a hot product"),
    ("calm_anxious", "安抚焦急客户", "Calming an anxious customer"),
    ("angry_customer", "应对情绪激动客户", "Handling an angry customer"),
    ("elderly_help", "协助老年客户", "Helping an elderly customer"),
    ("stop_marketing", "停止营销·礼貌收尾", "Stop marketing: polite close"),
    ("teller_account_swing", "柜员提示账户大额变动", "Teller: discreet remark on account swings"),
    ("teller_idle_balance", "柜员提示活期闲置资金", "Teller: discreet remark on idle balance"),
    ("teller_channel_pitch", "柜员一句话推介渠道产品", "Teller: one-sentence channel pitch"),
    ("teller_wealth_one_liner", "低柜一句话推介理财", "Counter: one-line wealth mention"),
    ("teller_refer_to_wealth", "柜员转介理财经理", "Teller: referring to a wealth manager"),
    ("near_vip_invite", "邀请准贵宾客户", "Inviting a near-VIP customer"),
    ("vip_room_referral", "低柜转介贵宾理财室", "Low counter: referral to the VIP room"),
    ("fraud_risk_check", "大额取款防诈骗确认", "Fraud check on a large withdrawal"),
    ("wealth_manager_welcome", "理财经理接待", "Wealth manager: welcome"),
    ("suitability_explain", "适当性不符说明", "Explaining a suitability mismatch"),
    ("recorded_zone_notice", "双录告知", "Notice of audio-video recording"),
    ("follow_up_call", "售后回访", "After-sale follow-up call"),
]


def _p(code, name_zh, name_en, category, risk_level, is_hot, pitch_zh, pitch_en, structured=False):
    return {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "category": category,
        "risk_level": risk_level,
        "is_hot": is_hot,
        "pitch_zh": pitch_zh,
        "pitch_en": pitch_en,
        "structured": structured,
    }


PRODUCTS = [
    # ---- channel (a high-counter teller may say these in one sentence) ----
    _p(
        "mobile_banking",
        "手机银行",
        "Mobile banking app",
        "channel",
        1,
        True,
        "开通手机银行后，查余额、转账、缴费在手机上就能办，不用专门跑网点。",
        "With the mobile banking app you can check balances, transfer and pay bills from your phone instead of coming in.",
    ),
    _p(
        "online_banking",
        "个人网上银行",
        "Personal online banking",
        "channel",
        1,
        False,
        "网上银行在电脑上就能查询和转账，配上安全介质用起来也放心。",
        "Online banking lets you check and transfer from your computer, with a security key to keep it safe.",
    ),
    _p(
        "sms_alerts",
        "账户变动短信提醒",
        "SMS account alerts",
        "channel",
        1,
        False,
        "开个短信提醒，账户每一笔进出都会通知您，资金安全心里有数。",
        "Turn on SMS alerts and you will be told about every payment in or out of your account.",
    ),
    _p(
        "quick_pay",
        "快捷支付绑卡",
        "Quick-pay card binding",
        "channel",
        1,
        False,
        "把卡绑定到常用的支付平台，网购付款更顺手，还能自己设置每日限额。",
        "Binding your card to your usual payment app makes online shopping easier, and you can set your own daily limit.",
    ),
    _p(
        "credit_card",
        "信用卡",
        "Credit card",
        "channel",
        1,
        False,
        "您要是常刷卡消费，可以申请一张信用卡，按时还款就有免息期。",
        "If you often pay by card, a credit card gives you an interest-free period when you repay on time.",
    ),
    _p(
        "etc_card",
        "ETC 通行卡",
        "ETC toll card",
        "channel",
        1,
        False,
        "您开车的话可以办个ETC，过高速收费站不用停车排队。",
        "If you drive, an ETC card lets you pass motorway toll gates without stopping to queue.",
    ),
    _p(
        "social_security_card",
        "社会保障卡（金融功能）",
        "Social security card (banking function)",
        "channel",
        1,
        False,
        "社保卡的金融功能可以在这里激活，领养老金、医保结算都方便。",
        "We can activate the banking function of your social security card here, handy for pensions and medical bills.",
    ),
    _p(
        "payroll_service",
        "代发工资",
        "Payroll service",
        "channel",
        1,
        False,
        "贵单位如果还没定代发银行，我们可以提供代发工资服务，员工到账及时。",
        "If your employer has not chosen a payroll bank yet, we can pay staff salaries on time through our payroll service.",
    ),
    _p(
        "digital_rmb_wallet",
        "数字人民币钱包",
        "Digital RMB wallet",
        "channel",
        1,
        False,
        "数字人民币钱包可以绑定我行账户，扫码付款和收款都很方便。",
        "You can link a digital RMB wallet to your account here and pay or get paid by scanning a code.",
    ),
    # ---- deposit ----
    _p(
        "demand_deposit",
        "活期储蓄",
        "Demand savings",
        "deposit",
        1,
        False,
        "活期存款随用随取，适合放日常要用的钱。",
        "A demand account lets you withdraw any time, which suits money for everyday spending.",
    ),
    _p(
        "time_deposit",
        "整存整取定期（3个月—1年）",
        "Time deposit (3 months to 1 year)",
        "deposit",
        1,
        False,
        "短期内用不到的钱可以存个三个月或一年的定期，利率按存入当天挂牌执行。",
        "Money you won't need soon can go into a 3-month or 1-year time deposit at the rate posted on the day you deposit.",
    ),
    _p(
        "large_cd",
        "个人大额存单",
        "Large-denomination certificate of deposit",
        "deposit",
        1,
        True,
        "大额存单起存金额较高，属于存款，利率在存入时就定下来了，额度有限。",
        "A large-denomination CD is a deposit with a higher minimum, its rate is fixed when you buy, and quota is limited.",
    ),
    _p(
        "structured_deposit",
        "结构性存款",
        "Structured deposit",
        "deposit",
        1,
        False,
        "结构性存款保本金，但收益要看挂钩标的表现，不一定拿到最高那一档。",
        "A structured deposit protects your principal, but the return depends on a linked index and may not reach the top rate.",
        structured=True,  # sold like an investment product: suitability and 双录
    ),
    # ---- wealth (理财) ----
    _p(
        "cash_wealth",
        "现金管理类理财",
        "Cash-management wealth product",
        "wealth",
        1,
        False,
        "这款现金管理类理财风险较低、申赎灵活，但它不是存款，收益不作保证。",
        "This cash-management product is low risk and flexible to redeem, but it is not a deposit and returns are not guaranteed.",
    ),
    _p(
        "fixed_term_wealth",
        "固收类定期理财（R2）",
        "Fixed-term income wealth product (R2)",
        "wealth",
        2,
        True,
        "这款定期理财主投债券，风险等级R2，期限内一般不能赎回，净值会有波动。",
        "This fixed-term product invests mainly in bonds, risk level R2; it usually can't be redeemed early and its value can move.",
    ),
    _p(
        "mixed_wealth",
        "固收+混合类理财（R3）",
        "Mixed-asset wealth product (R3)",
        "wealth",
        3,
        False,
        "这款混合类理财配了一部分股票，风险等级R3，可能出现亏损，适合能承受波动的客户。",
        "This mixed product holds some equities, risk level R3, and can lose money; it suits customers who can accept swings.",
    ),
    # ---- fund (agency) ----
    _p(
        "money_market_fund",
        "货币市场基金",
        "Money-market fund",
        "fund",
        1,
        False,
        "货币基金流动性好、波动小，但不等同于存款，过往收益不代表将来。",
        "A money-market fund is liquid with small swings, but it is not a deposit and past returns say nothing about the future.",
    ),
    _p(
        "bond_fund",
        "纯债型基金",
        "Bond fund",
        "fund",
        2,
        False,
        "债券基金风险等级R2，净值会随利率变化，短期内也可能下跌。",
        "A bond fund is rated R2; its price moves with interest rates and can fall in the short term.",
    ),
    _p(
        "balanced_fund",
        "平衡混合型基金",
        "Balanced mixed fund",
        "fund",
        3,
        False,
        "平衡型基金股债搭配，风险等级R3，有亏本的可能，建议持有时间长一些。",
        "A balanced fund mixes stocks and bonds, risk level R3, can lose money, and is better held for the longer term.",
    ),
    _p(
        "index_fund",
        "宽基指数基金",
        "Broad equity index fund",
        "fund",
        4,
        False,
        "指数基金跟踪股票指数，风险等级R4，涨跌跟着大盘走，亏损可能较大。",
        "An index fund tracks a stock index, risk level R4; it rises and falls with the market and losses can be large.",
    ),
    _p(
        "sector_fund",
        "行业主题股票基金",
        "Sector equity fund",
        "fund",
        5,
        False,
        "行业基金集中投一个行业，风险等级R5，波动很大，只适合能承受高风险的客户。",
        "A sector fund concentrates on one industry, risk level R5, swings sharply and only suits customers with high risk tolerance.",
    ),
    # ---- insurance (agency) ----
    _p(
        "annuity_insurance",
        "养老年金保险",
        "Pension annuity insurance",
        "insurance",
        1,
        False,
        "年金保险可以为退休后定期领一笔钱做准备，需要长期缴费，提前退保会有损失。",
        "An annuity helps you plan a regular income after retirement; it needs long-term premiums and early surrender costs money.",
    ),
    _p(
        "whole_life_insurance",
        "终身寿险",
        "Whole-life insurance",
        "insurance",
        2,
        False,
        "终身寿险主要做家庭保障和财富传承，缴费期长，前几年退保现金价值较低。",
        "Whole-life insurance is for family protection and passing on wealth; premiums run long and early surrender returns little.",
    ),
    _p(
        "unit_linked_insurance",
        "投资连结保险",
        "Unit-linked insurance",
        "insurance",
        3,
        False,
        "投连险的账户价值随投资表现浮动，风险等级R3，可能亏损，购买前需做风险评估。",
        "A unit-linked policy's value follows its investments, risk level R3, can lose money, and needs a risk assessment first.",
    ),
    # ---- precious metal ----
    _p(
        "gold_bar",
        "实物投资金条",
        "Physical investment gold bar",
        "precious_metal",
        3,
        True,
        "实物金条可以收藏也可以投资，但金价会涨也会跌，风险等级R3。",
        "A gold bar can be kept or held as an investment, but the gold price goes down as well as up; risk level R3.",
    ),
    _p(
        "gold_accumulation",
        "积存金定投",
        "Gold accumulation plan",
        "precious_metal",
        4,
        False,
        "积存金可以按克或按金额定期买入，风险等级R4，金价波动会直接影响您的账户价值。",
        "A gold accumulation plan buys small amounts regularly, risk level R4; gold price swings directly change its value.",
    ),
    # ---- treasury bond ----
    _p(
        "savings_bond_electronic",
        "储蓄国债（电子式）",
        "Savings bond (electronic)",
        "treasury_bond",
        1,
        True,
        "电子式储蓄国债由国家发行，按年付息，提前兑取会扣一部分利息，额度售完即止。",
        "Electronic savings bonds are state-issued and pay interest yearly; early redemption costs some interest and quota is limited.",
    ),
    _p(
        "savings_bond_certificate",
        "储蓄国债（凭证式）",
        "Savings bond (certificate)",
        "treasury_bond",
        1,
        False,
        "凭证式国债到期一次还本付息，适合不常用手机的客户，提前兑取要扣部分利息。",
        "Certificate savings bonds repay principal and interest at maturity, suit customers who avoid apps; early redemption costs interest.",
    ),
    # ---- loan ----
    _p(
        "home_mortgage",
        "个人住房贷款",
        "Home mortgage loan",
        "loan",
        1,
        False,
        "买房需要贷款的话，可以先到低柜了解一下材料和审批流程。",
        "If you need a loan for a home, our non-cash counter can explain the documents and approval steps.",
    ),
    _p(
        "consumer_loan",
        "个人消费贷款",
        "Personal consumer loan",
        "loan",
        1,
        False,
        "装修、教育这类大额开支可以了解一下消费贷，额度和利率要按审批结果来定。",
        "For big costs like renovation or education a consumer loan may help; the amount and rate depend on approval.",
    ),
    _p(
        "small_business_loan",
        "个体工商户经营贷款",
        "Small business loan",
        "loan",
        1,
        False,
        "您做生意需要周转资金的话，可以了解经营贷款，请按时足额还款，避免影响征信。",
        "If your business needs working capital, ask about our business loan; repaying on time keeps your credit record clean.",
    ),
]


def _s(situation, roles, text_zh, text_en, sort):
    return {
        "situation": situation,
        "roles": list(roles),
        "text_zh": text_zh,
        "text_en": text_en,
        "sort": sort,
    }


_LOBBY = ("lobby_manager", "lobby_assistant")
_TELLERS = ("teller_high", "teller_low")

SCRIPTS = [
    # ---- first referral: greeting zone ----
    _s(
        "greet_vip",
        _LOBBY,
        "{label}您好，欢迎您来！贵宾区那边比较安静，您先过去坐一下，我马上帮您安排。",
        "Good morning {label}, welcome! The VIP area is quieter; please take a seat there and I'll arrange things for you right away.",
        10,
    ),
    _s(
        "greet_vip",
        _LOBBY,
        "{label}，好久不见！今天还是老位置，我带您去贵宾区。",
        "{label}, nice to see you again! Let me take you to the VIP area as usual.",
        11,
    ),
    _s(
        "ask_vip_service",
        _LOBBY,
        "请问您平时用的是我们哪一种卡？我们对贵宾客户有专门的服务区和理财顾问，您有兴趣的话我简单介绍一下。",
        "May I ask which of our cards you use? We have a dedicated area and advisers for VIP customers; happy to tell you a little about it if you like.",
        20,
    ),
    _s(
        "greet_regular",
        _LOBBY,
        "您好，欢迎光临！请问今天想办点什么？",
        "Hello, welcome! What can we help you with today?",
        30,
    ),
    _s(
        "ask_need",
        _LOBBY,
        "您今天是存取款、转账，还是想咨询点别的？我看看哪里办最快。",
        "Is it a deposit, a withdrawal, a transfer, or something else today? I'll find the quickest place for you.",
        40,
    ),
    _s(
        "introduce_wealth_manager",
        ("lobby_manager",),
        "{label}，这位是我们的理财经理{staff}，做理财规划很有经验，接下来请{staff}详细跟您聊。",
        "{label}, this is {staff}, one of our wealth managers, who has a lot of experience in financial planning; {staff} will talk you through the details.",
        50,
    ),
    _s(
        "brief_wealth_manager",
        ("lobby_manager",),
        "{staff}，这位是{label}，刚才在看理财的宣传页，想找稳一点的打理方式，麻烦你接待一下。",
        "{staff}, this is {label}, who was reading our wealth leaflets and is looking for something steady; could you look after them?",
        60,
    ),
    _s(
        "steer_self_service",
        _LOBBY,
        "这笔业务在自助机上就能办，不用排队，我陪您过去。",
        "You can do this on the self-service machine without queuing; let me walk you over.",
        70,
    ),
    _s(
        "steer_self_service",
        _LOBBY,
        "这个在手机银行上也能办，以后在家就能操作，省得跑一趟。",
        "You can also do this in the mobile banking app, so next time you can do it from home and save a trip.",
        71,
    ),
    _s(
        "guide_self_service_machine",
        _LOBBY,
        "先插卡，按屏幕提示选业务就行；输密码的时候我先转过去，您用手挡一下键盘。",
        "Insert your card and follow the screen; when you enter your PIN I'll look away, please shield the keypad with your hand.",
        80,
    ),
    _s(
        "send_to_form_desk",
        _LOBBY,
        "这项业务要填一张单子，填单台在这边，样单放在旁边可以参考，填好后请您本人签字。",
        "This needs a form; the form desk is over here with a sample to follow. Please sign it yourself once it's filled in.",
        90,
    ),
    _s(
        "give_ticket",
        _LOBBY,
        "这是您的号，请收好，您在等候区坐一下，屏幕和广播会叫号。",
        "Here is your ticket, please keep it. Have a seat in the waiting area; your number will be shown on the screen and called out.",
        100,
    ),
    # ---- second referral: waiting zone ----
    _s(
        "waiting_browsing_brochure",
        ("lobby_manager",),
        "您在看理财产品吧？如果想了解得细一点，我可以请理财经理来给您讲讲，不会耽误您叫号。",
        "Are you looking at our wealth products? If you'd like more detail, I can ask a wealth manager to explain; you won't lose your place in the queue.",
        110,
    ),
    _s(
        "waiting_small_cash",
        _LOBBY,
        "您是存取小额现金或者转账吧？那边自助机就能办，比排队快，我带您过去。",
        "Is it a small cash deposit, withdrawal or transfer? The machines over there can do it faster than waiting; I'll show you.",
        120,
    ),
    _s(
        "waiting_looking_around",
        _LOBBY,
        "您好，有什么需要帮忙的吗？要是得填单，我可以先帮您准备好，叫到号就能直接办。",
        "Hello, can I help with anything? If you need a form, I can get it ready with you now so it's quick when your number is called.",
        130,
    ),
    _s(
        "waiting_hot_product",
        ("lobby_manager",),
        "最近不少客户在问这款产品，这是介绍页，您可以先看看；它有一定风险，想细了解的话我请理财经理跟您说。",
        "Quite a few customers have asked about this product lately; here is the leaflet. It does carry some risk, so if you'd like details I'll ask a wealth manager.",
        140,
    ),
    _s(
        "waiting_hot_product",
        ("lobby_manager",),
        "这期储蓄国债正在发售，额度有限，您感兴趣的话我请同事给您说说怎么买。",
        "The current savings bond issue is on sale with limited quota; if you're interested, a colleague can explain how to buy.",
        141,
    ),
    # ---- care: no selling ----
    _s(
        "calm_anxious",
        _LOBBY,
        "您别着急，先告诉我您今天要办什么，我帮您把号取好、单子准备好。",
        "Don't worry; tell me what you need today and I'll get your ticket and paperwork ready for you.",
        150,
    ),
    _s(
        "angry_customer",
        ("lobby_manager",),
        "实在抱歉让您不愉快，您先坐下喝口水，慢慢跟我说，我来帮您解决。",
        "I'm really sorry this has upset you. Please sit down and have some water, tell me what happened, and I'll sort it out for you.",
        160,
    ),
    _s(
        "angry_customer",
        ("lobby_manager",),
        "您的意见我都记下了，这件事我负责跟进，处理结果会尽快告诉您。",
        "I've noted everything you said. I'll follow this up myself and let you know the outcome as soon as possible.",
        161,
    ),
    _s(
        "elderly_help",
        _LOBBY,
        "{label}，您慢点，先到这边坐。号我来帮您取，单子我帮您填，最后您签个名就行。",
        "Please take your time and have a seat here. I'll get your ticket and fill in the form for you; you only need to sign at the end.",
        170,
    ),
    _s(
        "stop_marketing",
        ("lobby_manager", "lobby_assistant", "teller_high", "teller_low", "wealth_manager"),
        "好的，不打扰您了，有需要随时叫我。",
        "Of course, I won't keep you. Just call me if you need anything.",
        180,
    ),
    _s(
        "stop_marketing",
        ("lobby_manager", "lobby_assistant", "teller_high", "teller_low", "wealth_manager"),
        "您赶时间的话就先办正事，业务都办好了，您慢走。",
        "Since you're in a hurry, that's everything done for today. Have a good day.",
        181,
    ),
    # ---- third referral: counters ----
    _s(
        "teller_account_swing",
        _TELLERS,
        "（小声）您这个账户最近进出的金额比较大，这些您都清楚吧？",
        "(quietly) There have been some large movements on this account recently; are you aware of them?",
        190,
    ),
    _s(
        "teller_idle_balance",
        _TELLERS,
        "（小声）您活期里放的钱不少，是近期要用吗？如果暂时用不上，可以请理财经理帮您看看怎么安排。",
        "(quietly) You keep quite a lot in your current account; do you need it soon? If not, a wealth manager could go over options with you.",
        200,
    ),
    _s(
        "teller_channel_pitch",
        _TELLERS,
        "您这张卡还没开手机银行，开通后查账、转账都在手机上办，很方便，要不要现在帮您开上？",
        "Your card doesn't have mobile banking yet; with it you can check and transfer on your phone. Shall I set it up now?",
        210,
    ),
    _s(
        "teller_channel_pitch",
        _TELLERS,
        "建议您开个短信提醒，账户有任何变动都会第一时间通知您，更安心。",
        "I'd suggest turning on SMS alerts, so you hear straight away about any movement on your account.",
        211,
    ),
    _s(
        "teller_wealth_one_liner",
        ("teller_low",),
        "我们最近上了几款新的理财产品，风险等级不一样，您有兴趣的话可以了解一下。",
        "We have a few new wealth products with different risk levels; would you like to hear about them?",
        220,
    ),
    _s(
        "teller_refer_to_wealth",
        _TELLERS,
        "这方面我们的理财经理{staff}更专业，我请大堂经理带您过去，您的号我先帮您留着。",
        "Our wealth manager {staff} knows this best; the lobby manager will take you over, and I'll keep your place here.",
        230,
    ),
    _s(
        "near_vip_invite",
        ("teller_high", "teller_low", "lobby_manager"),
        "您离我们的贵宾标准已经很近了，成为贵宾可以走专属窗口、享受一些手续费优惠，要不要了解一下？",
        "You're quite close to our VIP level; VIPs get a dedicated window and some fee discounts. Would you like to know more?",
        240,
    ),
    _s(
        "vip_room_referral",
        ("teller_low",),
        "{label}，您可以享受我们贵宾理财室的服务，里面有专属理财经理一对一接待，我带您过去坐坐？",
        "{label}, you're eligible for our VIP wealth room, where a dedicated wealth manager will see you one to one. Shall I take you there?",
        250,
    ),
    _s(
        "fraud_risk_check",
        ("teller_high", "teller_low", "lobby_manager"),
        "这笔钱金额比较大，冒昧问一句，是有人打电话或发消息让您取的吗？",
        "This is quite a large sum, so may I ask: did someone call or message you asking you to take it out?",
        260,
    ),
    _s(
        "fraud_risk_check",
        ("teller_high", "teller_low", "lobby_manager"),
        "最近冒充公检法、客服的骗局很多，凡是让您转账到“安全账户”的都是骗子，要不要先跟家里人确认一下？",
        'There are many scams by people posing as police or customer service; anyone asking you to move money to a "safe account" is a fraudster. Would you like to check with your family first?',
        261,
    ),
    # ---- wealth manager ----
    _s(
        "wealth_manager_welcome",
        ("wealth_manager",),
        "{label}您好，我是理财经理{staff}，请坐。先聊聊您的打算，再看哪种安排适合您。",
        "Hello {label}, I'm {staff}, a wealth manager. Please have a seat; let's talk about your plans first, then see what suits you.",
        270,
    ),
    _s(
        "suitability_explain",
        ("wealth_manager",),
        "按您的风险测评结果，这款产品的风险等级超过了您能承受的范围，我不能为您办理；我们可以看看风险更低的选择。",
        "Your risk assessment shows this product's risk level is above your tolerance, so I can't sell it to you; we can look at lower-risk options instead.",
        280,
    ),
    _s(
        "recorded_zone_notice",
        ("wealth_manager",),
        "按监管要求，接下来的销售过程会全程录音录像，只用于留存备查，您看可以吗？",
        "As regulations require, the rest of this sale will be audio- and video-recorded and kept only for the record. Is that all right?",
        290,
    ),
    _s(
        "follow_up_call",
        ("wealth_manager",),
        "{label}您好，我是理财经理{staff}。您之前买的产品最近有些波动，打电话跟您说明一下情况，您有疑问随时问我。",
        "Hello {label}, this is {staff}, your wealth manager. The product you bought has moved a little recently; I'm calling to explain, and you can ask me anything.",
        300,
    ),
    _s(
        "follow_up_call",
        ("wealth_manager",),
        "{label}您好，您的产品下周到期，到期资金会回到您的账户，要不要约个时间一起看看后面的安排？",
        "Hello {label}, your product matures next week and the money will return to your account. Would you like to meet to plan what comes next?",
        301,
    ),
]


if __name__ == "__main__":
    situation_codes = [code for code, _zh, _en in SITUATIONS]
    assert len(situation_codes) == len(set(situation_codes)), "duplicate situation code"

    product_keys = {
        "code",
        "name_zh",
        "name_en",
        "category",
        "risk_level",
        "is_hot",
        "pitch_zh",
        "pitch_en",
    }
    codes = [p["code"] for p in PRODUCTS]
    assert len(codes) == len(set(codes)), "duplicate product code"
    for p in PRODUCTS:
        assert set(p) == product_keys, p["code"]
        assert p["code"] == p["code"].lower() and p["code"].replace("_", "").isalnum(), p["code"]
        assert p["category"] in CATEGORIES, p["code"]
        assert isinstance(p["risk_level"], int) and 1 <= p["risk_level"] <= 5, p["code"]
        if p["category"] in ("channel", "deposit", "treasury_bond", "loan"):
            assert p["risk_level"] == 1, p["code"]
        assert isinstance(p["is_hot"], bool), p["code"]
        assert p["pitch_zh"] and p["pitch_en"] and p["name_zh"] and p["name_en"], p["code"]
    for cat in CATEGORIES:
        n = sum(1 for p in PRODUCTS if p["category"] == cat)
        assert n >= 2, f"category {cat} has {n} products"

    script_keys = {"situation", "roles", "text_zh", "text_en", "sort"}
    for s in SCRIPTS:
        assert set(s) == script_keys, s
        assert s["situation"] in situation_codes, s["situation"]
        assert s["roles"] and all(r in ROLES for r in s["roles"]), s
        assert isinstance(s["sort"], int), s
        assert s["text_zh"] and s["text_en"], s
        # only the documented placeholders
        for t in (s["text_zh"], s["text_en"]):
            t.format(label="X", staff="Y")
    used = {s["situation"] for s in SCRIPTS}
    missing = set(situation_codes) - used
    assert not missing, f"situations without a script: {sorted(missing)}"
    # high-counter tellers pitch channel products only
    for s in SCRIPTS:
        if s["situation"] == "teller_wealth_one_liner":
            assert "teller_high" not in s["roles"], s

    print(
        f"products: {len(PRODUCTS)} ({sum(p['is_hot'] for p in PRODUCTS)} hot) across {len(CATEGORIES)} categories: "
        + ", ".join(f"{c}={sum(1 for p in PRODUCTS if p['category'] == c)}" for c in CATEGORIES)
    )
    print(f"scripts: {len(SCRIPTS)} covering {len(used)}/{len(situation_codes)} situations")
    print("ok")
