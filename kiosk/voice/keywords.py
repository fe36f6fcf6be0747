"""Cue words and patterns for the non-emergency intents, applied to normalised, homophone-repaired text.

Emergencies have their own detector (:mod:`kiosk.voice.emergency`)."""

from __future__ import annotations

import re

# Words whose homophones are repaired (救命 heard as 就命). Two characters or more.
FUZZY_WORDS: tuple[str, ...] = (
    "救命",
    "救救",
    "摔倒",
    "摔跤",
    "跌倒",
    "晕倒",
    "昏倒",
    "着火",
    "失火",
    "火灾",
    "起火",
    "胸口",
    "心口",
    "呼吸",
    "喘不上气",
    "喘不过气",
    "救护车",
    "急救",
    "中风",
    "流血",
    "报名",
    "参加",
    "取消",
    "不去了",
    "回首页",
    "首页",
    "主页",
    "再说一遍",
    "再说一次",
    "重复",
    "大声",
    "小声",
    "声音",
    "音量",
    "慢点",
    "慢一点",
    "订单",
    "帮忙",
    "帮帮",
    "灯泡",
    "快递",
    "多少钱",
    "价格",
    "确定",
    "没错",
    "不对",
    "算了",
    "不要了",
    "活动",
    "讲座",
    "太极",
    "体检",
    "书法",
    "合唱",
    "电影",
    "饺子",
    "反映",
    "意见",
    "建议",
    "投诉",
    "楼道",
    "电梯",
    "路灯",
    "物业",
)
# Ordinary words that must not be "repaired" into a keyword (就明天 is not 救命天).
PROTECTED_WORDS: tuple[str, ...] = (
    "明天",
    "今天",
    "后天",
    "昨天",
    "就是",
    "时间",
    "时候",
    "一起",
    "东西",
    "什么",
    "怎么",
    "还是",
    "已经",
    "知道",
    "觉得",
    "可以",
    "现在",
    "我们",
    "医院",
    "女儿",
    "儿子",
    "身体",
    "舒服",
    "厉害",
    "手机",
    "电视",
    "报纸",
    "保姆",
    "有名",
    "出名",
    "名字",
    "收音机",
    "首先",
    "手也",
    "说明",
    "声明",
    "重新",
    "大生",
    "小生",
    "东边",
    "西边",
    "不去",
    "去年",
    "取暖",
    "比赛",
    "交费",
    "教练",
    "明白",
    "一遍",
    "问题",
    "自己",
    "到底",
    "倒是",
    "知道了",
    "红烧",
    "页面",
    "上面",
    # words that sound like an amount (上个 ~ 三个, 这个 ~ 十个)
    "上个",
    "这个",
    "那个",
    "哪个",
    "是个",
    "每个",
    "整个",
    "几个",
    "一个人",
)

PRICE = re.compile(
    r"多少钱|几块钱|几毛|几元|什么价|价格|价钱|贵不贵|贵吗|便宜吗|怎么卖|多钱|什么价钱|钱一斤|块一斤|涨价"
)
STATUS = re.compile(
    r"怎么样了|怎么还没|还没(?:来|到|送|人)|到了吗|到了没|来了吗|来了没|送到了?没|送来了?没|送来了吗"
    r"|有消息|有回音|有人接了?吗|有人管吗|有人理|处理了?吗|处理得|成功了?吗|成功没|报上了?吗|报上没"
    r"|进度|状态|到哪了|到哪儿了|查一下我|查查我|看看我的|我的订单|我的报名|我的求助|记录|结果"
    r"|下单了?吗|买了吗|买了没|办好了|弄好了?吗|安排了?吗|办了没|办成|报成|咋样了|到哪一步|有人应"
    r"|(?:啥|什么)时候(?:到|来|送|能到|能送)|送不送|来不来|到没到|还要等|等多久|出发了|有着落|有回信"
    r"|(?:成|好|上|到|来|送)没(?:有|得)?$|了没(?:有|得)?$|查我的|我订的|我买的.*(?:到|送)"
    r"|有人来(?:吗|没|了吗|了没)|^人呢|收到了?没|收到了?吗"
)
# Complaints about the loudness now decide before requests: 太小声了 is "louder" although it contains 小声.
TOO_QUIET = re.compile(r"太(?:小|轻|低)|小了|轻了|小得|听不见|听不到|听不清|不够(?:大|响)|蚊子")
TOO_LOUD = re.compile(r"太(?:大|响|吵)|大了|响了|吵|震|那么大|这么大|刺耳")
VOLUME_UP = re.compile(
    r"大声|大点|大一点|大些|调大|开大|放大|调高|音量(?:调)?(?:大|高)|响一点|响点|响一些|高一点|声音(?:再|稍微|稍)?大"
)
VOLUME_DOWN = re.compile(
    r"小声|小点|小一点|小些|调小|关小|调低|音量(?:调)?(?:小|低)|轻一点|轻点|轻些|低一点|声音(?:再|稍微|稍)?小"
)
SLOWER = re.compile(r"慢(?:一)?点|慢些|慢慢说|说慢|讲慢|太快|说得快|说这么快|快了听不|别说那么快")
REPEAT = re.compile(
    r"^什么$|^什么什么$|再说一遍|再说一次|再讲一遍|再来一遍|再念一遍|重复"
    r"|没听清|没听懂|没听见|刚才说什么|说的什么|你说什么|什么意思|再说一下"
)
HOME = re.compile(
    r"回首页|首页|主页|回主|主菜单|返回|回到开始|从头来|重新开始|回到首|最前面|^退出$|^回去$"
    r"|上一页|上一步|上一个页|往回退|往回走|退回|回到前|回开头|回到开头|回最开始|回到最|回到头"
)
# Cancel words that imply an activity by themselves, and ones that need an activity named.
CANCEL_ACTIVITY = re.compile(
    r"不想?(?:去|参加)\w{0,5}了|不参加|不想参加|去不了|来不了|不报了|不想去了|不能去|参加不了|退掉报名|退报名"
    r"|去不成|来不成|不凑热闹"
)
CANCEL_WORD = re.compile(r"取消|退出|退掉|退了|撤销|撤回|撤了|撤掉|划掉|不(?:看|听|学|练|唱|跳|去)了")
SIGNUP = re.compile(
    r"报名|报个|报个名|参加|算我一个|加我一个|登记|预约|我也去|我要去|我想去|我去|想学|报上|占个位|留个位|去看|去听|去学|去玩|去练"
)
ESCORT = re.compile(r"陪")  # 陪我去看病 is help, not an activity
ACTIVITY_NOUN = re.compile(r"活动|讲座|课|班|比赛|演出|表演|聚会|培训")
BUY = re.compile(r"买|要|(?<![上下起过回进出])来|订|带|捎|代购|整|称|拿|送|给我|购")
HELP = re.compile(
    r"帮忙|帮帮|帮我|帮一下|求助|求救|来个人|找个人|找人|需要人|需要帮|麻烦|陪我|陪同|陪着|换灯泡|灯泡|修|坏了"
    r"|漏水|堵了|停电|没电|快递|包裹|取件|搬|扛|打扫|叫人|有人吗|来一下|过来|帮助|照顾|求求|聊天|孤单"
    r"|迷路|找不到家|走丢|陌生人|小偷|撬门|渗水|滴水|蟑螂|蚂蚁|老鼠|不制冷|热水|跳闸|关不上|打不开|不亮|充不进电"
    r"|下水道|马桶|水龙头|水管|有股味|反味|返味|臭味|异味|药店|买药|取药|配药"
)
DENY = re.compile(r"不对|不是|不要|不行|错了|算了|不用|取消|别|不买|没事|不需要|弄错|搞错|不好|否|拉倒|没有|不了")
CONFIRM = re.compile(
    r"^(?:对|是|好|行|可以|没错|确定|确认|中|要得|得行|成|对头|没问题|就这样|提交|下单|同意|嗯|好嘞|妥|是的|对的|好的|没毛病|就这些|就这么办|ok|yes)+(?:了|的|吧|呢|吗)*$"
)
CONFIRM_LOOSE = re.compile(r"对|是的|好的|可以|没错|确定|确认|没问题|就这样|就这些|提交|下单")
NEGATED_ITEM = re.compile(r"(?:不要|不买|别买|别要|不用买|不用|除了)$")
NEGATED_ITEM_AFTER = re.compile(r"^(?:就)?(?:不要|不买|别买|不用)(?:了|啦)")
NEGATED_ITEM_AT_END = re.compile(r"^(?:就)?(?:不要|不买|别买|算了|不用)")
# A question about something (几点开始？要不要带…？谁教？) asks, it does not sign up.
QUESTION = re.compile(r"吗|么|几点|几号|哪里|哪儿|在哪|什么时候|啥时候|谁|要不要|是不是|有没有|多长|多久|怎么|咋|[?？]")
STRONG_SIGNUP = re.compile(r"报名|报个名|参加|算我一个|加我一个|登记|预约|报上|占个位|留个位")
NOT_FOUND_ORDER = re.compile(r"买|代购|订")
SURE = re.compile(r"没(?:有)?问题|没错|没毛病|不错")
# Reporting a problem or making a suggestion to the community (issue 19), not asking for help.
REPORT = re.compile(
    r"反映|投诉|意见|建议|提议|出个主意|想法|说个事|讲个事|说件事|摆一哈|没人管|没人修|没人收|没人扫|没人来修"
    r"|管一管|管管|不像话"
)
# Shared places and community matters: a fault there is reported, not a personal help request.
COMMUNITY_PLACE = re.compile(
    r"楼道|楼梯|电梯|路灯|声控灯|小区|院子|院里|单元门|楼门|大门|物业|居委|社区|垃圾桶|垃圾站|楼上|隔壁|广场舞"
    r"|井盖|健身器材|停车|门口|台阶|暖气|水压|食堂|楼顶|整栋楼|一栋楼|整个楼"
)
COMMUNITY_FAULT = re.compile(
    r"坏|黑了|不亮|烂了|漏|堵|吵|臭|脏|乱|满了|没人|不热|太低|太高|太滑|松了|关不上|不好走|差劲|好几天|好久了|老是坏|有股味|臭味|异味"
)
SUGGESTION = re.compile(r"建议|提议|主意|点子|想法|希望|意见|就好了|能不能(?:多|在|给|装|安|搞|开|办|加)|应该|最好")
# Errands for things a shop order cannot hold (medicine): help, not an order for nothing.
ERRAND = re.compile(r"药店|买药|取药|配药|买点药")
