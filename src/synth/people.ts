/**
 * Synthetic borrowers: valid-format resident IDs (real province prefixes, real birth dates, correct
 * MOD 11-2 check characters), mobile numbers in real Chinese mobile ranges and Han names. None of
 * them belongs to a real person except by chance.
 */
import { residentIdCheckChar } from '../normalize/index.js';
import type { Prng } from './prng.js';

export interface Borrower {
  /** 18-character resident ID in normalized form. */
  rid: string;
  /** Birth date, YYYY-MM-DD. */
  dob: string;
  /** 11-digit national mobile number. */
  mobile: string;
  name: string;
}

const REGIONS = [
  '110101',
  '110105',
  '310104',
  '310115',
  '440305',
  '440106',
  '330106',
  '510107',
  '420106',
  '320102',
  '370202',
  '500103',
];
const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '156',
  '157',
  '158',
  '159',
  '186',
  '187',
  '188',
  '189',
];
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志强文亮斌宇浩凯晨欣怡梓涵子轩雨萱佳琪俊杰思远嘉怡',
];
const MINORITY = ['买买提·艾力', '阿依古丽·吐尔逊', '热依拉·买买提', '古丽娜尔·阿不都', '艾尔肯·吐尔洪'];

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function makeBorrower(prng: Prng): Borrower {
  const year = prng.int(1955, 2003);
  const month = prng.int(1, 12);
  const day = prng.int(1, 28);
  const dob = `${year}-${pad2(month)}-${pad2(day)}`;
  const body = `${prng.pick(REGIONS)}${year}${pad2(month)}${pad2(day)}${prng.digits(3)}`;
  const name = prng.chance(0.02)
    ? prng.pick(MINORITY)
    : prng.pick(SURNAMES) + prng.pick(GIVEN) + (prng.chance(0.6) ? prng.pick(GIVEN) : '');
  return {
    rid: body + residentIdCheckChar(body),
    dob,
    mobile: prng.pick(MOBILE_PREFIXES) + prng.digits(8),
    name,
  };
}

/** A 15-digit first-generation form of an ID born in the 1900s, or undefined if there is none. */
export function firstGenerationId(b: Borrower): string | undefined {
  return b.rid.slice(6, 8) === '19' ? b.rid.slice(0, 6) + b.rid.slice(8, 17) : undefined;
}

/** The ID written the ways members' systems really export it (case, spaces, full width, 15 digits). */
export function writeId(prng: Prng, b: Borrower): string {
  const roll = prng.next();
  if (roll < 0.04) return firstGenerationId(b) ?? b.rid;
  if (roll < 0.08) return b.rid.toLowerCase();
  if (roll < 0.1) return `${b.rid.slice(0, 6)} ${b.rid.slice(6, 14)} ${b.rid.slice(14)}`;
  if (roll < 0.11) return b.rid.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  return b.rid;
}

export function writePhone(prng: Prng, b: Borrower): string {
  const m = b.mobile;
  const roll = prng.next();
  if (roll < 0.1) return `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
  if (roll < 0.15) return `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`;
  if (roll < 0.18) return `0086${m}`;
  return m;
}
