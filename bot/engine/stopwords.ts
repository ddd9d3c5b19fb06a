// Function words that say nothing about which FAQ entry is meant; dropped from content units.
import { englishStopwords } from './natural.ts';

/** Chinese question and filler words, simplified. Longer first is not needed: units are whole segments. */
export const zhStopwords = new Set([
  '的', '了', '吗', '呢', '吧', '啊', '呀', '哦', '嘛', '么', '是', '在', '有', '和', '与', '或', '及', '就', '都', '也', '还',
  '我', '你', '您', '他', '她', '它', '我们', '你们', '咱', '自己', '这', '那', '这个', '那个', '这些', '那些', '哪', '哪个', '哪些', '哪里', '哪儿',
  '怎么', '怎样', '怎么样', '如何', '什么', '啥', '咋', '为啥', '为什么', '吗', '请问', '请', '问', '一下', '下', '想', '想要', '要', '需要',
  '可以', '能', '能不能', '可不可以', '会', '会不会', '是不是', '有没有', '没有', '不', '没', '多', '几', '个', '些', '点', '一个',
  '帮', '帮忙', '谢谢', '麻烦', '一般', '现在', '然后', '还是', '应该', '得', '地', '着', '过', '被', '把', '给', '让', '对', '从', '到', '用',
  '知道', '告诉', '问下', '问一下', '办法', '呗', '嗯', '额', '哈', '弄', '搞', '办',
  // Pointing words: "新疆那边呢" names a place; 那边 only points at it.
  '那边', '这边', '那里', '这里', '那儿', '这儿',
  '多久', '怎么办', '咋办', '怎么弄', '怎么搞', '怎么回事', '要不要', '什么样', '才能', '到底是', '先把', '的是', '那种', '上去', '是啥', '咋整', '已经', '都有', '都能', '也能', '还能', '我在', '以后', '之后', '之内', '以内', '除了', '看看', '想看看', '接着', '可能', '一块', '一起', '一般', '能否', '行不行', '好不好', '对吗', '是否', '有啥', '啥时候', '多大', '多长', '时候', '的话', '一样', '其实', '到底', '究竟', '直接', '就是', '但是', '因为', '所以', '如果',
]);

/** English stop words from natural, plus chat filler; negations and numbers stay meaningful. */
export const enStopwords = new Set<string>([
  ...englishStopwords.filter((w) => !['not', 'no', 'before', 'after'].includes(w)),
  'already', 'whose', 'stuff', 'kind', 'happen', 'happens', 'someone', 'told', 'just', 'put', 'us', 'plus', 'really', 'actually', 'still', 'pls', 'please', 'plz', 'hi', 'hello', 'thanks', 'thank', 'u', 'ur', 'im', 'can', 'could', 'would', 'tell', 'know', 'want', 'need', 'get', 'do', 'does', 'way',
]);
