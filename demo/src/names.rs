//! Chinese names for places, organisations and people, from morpheme lists.
//!
//! Place names are two characters, like most real ones (椒江, 新桥, 洪家); a pool keeps them
//! unique within a level and falls back to three characters once two run short.

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// First characters of place names.
const PLACE_HEAD: &[&str] = &[
    "东", "西", "南", "北", "新", "大", "小", "上", "下", "前", "后", "高", "长", "青", "金", "银",
    "石", "白", "红", "黄", "桃", "杏", "梅", "兰", "竹", "松", "柏", "枫", "柳", "杨", "桐", "龙",
    "凤", "鹤", "云", "星", "月", "阳", "明", "清", "安", "宁", "永", "太", "泰", "和", "平", "福",
    "兴", "盛", "丰", "瑞", "吉", "康", "华", "文", "仁", "义", "德", "善", "嘉", "锦", "双", "三",
    "五", "九", "湖", "江", "海", "溪", "沙", "蒲", "椒", "仙", "天", "玉", "温", "临", "横", "章",
    "洪", "方", "茅", "峙", "杜", "桑", "洞", "岱", "坦", "鲍", "洋", "汇", "合", "古", "城", "里",
];

/// Second characters of place names.
const PLACE_TAIL: &[&str] = &[
    "山", "岭", "岩", "峰", "江", "河", "溪", "湖", "海", "港", "湾", "浦", "塘", "桥", "门", "头",
    "口", "田", "林", "园", "庄", "家", "坑", "岙", "岸", "坝", "堰", "墩", "里", "洲", "屿", "沙",
    "石", "泉", "源", "阳", "城", "坊", "巷", "街", "亭", "楼", "院", "宅", "垟", "岗", "坪", "丰",
    "安", "宁", "兴", "华", "和", "平", "新", "居", "环", "台", "川", "埠", "渡", "滨", "陵", "畈",
];

/// Surnames, most common first (sampling favours the front).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "阎", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "应", "泮", "戴",
];

/// Characters of given names.
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀", "英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "兰", "霞", "平", "刚", "桂", "文", "辉", "建", "华", "国", "红", "玲", "峰",
    "宇", "浩", "凯", "晨", "琳", "欣", "婷", "雪", "慧", "佳", "俊", "鹏", "斌", "波", "飞", "鑫",
    "海", "燕", "萍", "志", "忠", "春", "亮", "林", "云", "宁", "龙", "颖", "倩", "瑶", "晓", "梅",
    "健", "彬", "帆", "航", "睿", "子", "涵", "诗", "雨", "思", "博", "然", "轩", "嘉", "怡", "泽",
    "立", "新", "永", "德", "荣", "成", "良", "金", "玉", "珍", "美", "清", "发", "胜", "利", "福",
];

/// Residential compound names: a wish and a word for housing.
const COMPOUND_HEAD: &[&str] = &[
    "锦绣", "阳光", "金色", "翠竹", "碧水", "香樟", "丽景", "星河", "东方", "滨江", "世纪", "幸福",
    "和谐", "康乐", "书香", "江南", "海棠", "紫荆", "御景", "天和", "明珠", "银座", "绿洲", "凤凰",
];
const COMPOUND_TAIL: &[&str] = &[
    "花园", "小区", "家园", "苑", "公寓", "新村", "华庭", "名都", "府", "湾", "嘉园", "雅居",
];

/// Chinese numerals for ordinals (第一中学).
const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Names handed out once per level.
#[derive(Default)]
pub(super) struct Pool(HashSet<String>);

impl Pool {
    /// Claims `name` if it is still free.
    pub fn claim(&mut self, name: &str) -> bool {
        !self.0.contains(name) && self.0.insert(name.to_string())
    }

    /// The first free name `make` comes up with; it is told how often it has failed so far.
    pub fn fresh(
        &mut self,
        rng: &mut ChaCha8Rng,
        mut make: impl FnMut(&mut ChaCha8Rng, usize) -> String,
    ) -> String {
        (0..)
            .map(|failures| make(rng, failures))
            .find(|name| self.claim(name))
            .expect("an endless supply of names")
    }

    /// A free place name: two characters while they last, then three, then numbered.
    pub fn place(&mut self, rng: &mut ChaCha8Rng) -> String {
        self.fresh(rng, |rng, failures| {
            let mut name = place(rng);
            if failures >= 16 {
                name.insert_str(0, pick(rng, PLACE_HEAD));
            }
            if failures >= 64 {
                name.push_str(&failures.to_string());
            }
            name
        })
    }
}

/// A two-character place name like 新桥, not necessarily free.
pub(super) fn place(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", pick(rng, PLACE_HEAD), pick(rng, PLACE_TAIL))
}

pub(super) fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list.choose(rng).expect("morpheme lists are not empty")
}

/// A Chinese ordinal numeral up to ten, then arabic digits.
pub(super) fn numeral(n: usize) -> String {
    NUMERALS
        .get(n.wrapping_sub(1))
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

/// A city name like 台州: a place character and 州.
pub(super) fn city(rng: &mut ChaCha8Rng) -> String {
    format!("{}州", pick(rng, PLACE_HEAD))
}

/// A residential compound name like 锦绣花园.
pub(super) fn compound(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", pick(rng, COMPOUND_HEAD), pick(rng, COMPOUND_TAIL))
}

/// A person's name: a surname (common ones more often) and one or two given characters.
pub(super) fn person(rng: &mut ChaCha8Rng) -> String {
    let skewed = rng.random::<f64>().powi(2);
    let mut name = SURNAMES[(skewed * SURNAMES.len() as f64) as usize].to_string();
    name.push_str(pick(rng, GIVEN));
    if rng.random_bool(0.7) {
        name.push_str(pick(rng, GIVEN));
    }
    name
}

/// A mainland mobile number: 1, then 3–9, then nine digits.
pub(super) fn phone(rng: &mut ChaCha8Rng) -> String {
    format!(
        "1{}{:09}",
        rng.random_range(3..=9),
        rng.random_range(0..1_000_000_000)
    )
}
