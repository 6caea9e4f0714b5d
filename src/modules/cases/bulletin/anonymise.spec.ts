import { anonymiseText, personText } from './anonymise';

describe('anonymiseText', () => {
  const persons = [
    { post: '县教育局副局长', name: '王小明' },
    { post: '县教育局办公室主任', name: '王小' },
    { post: '股长' },
  ];

  it('replaces each name with its post, longest name first, free text included', () => {
    const facts = '2026年3月，王小明要求各乡镇每周报送；王小在工作群中催报，王小明又签发补充通知。';
    expect(anonymiseText(facts, persons)).toBe('2026年3月，县教育局副局长要求各乡镇每周报送；县教育局办公室主任在工作群中催报，县教育局副局长又签发补充通知。');
  });

  it('does not rewrite a post that contains another person’s name', () => {
    const text = '李强与强化办主任张三';
    expect(anonymiseText(text, [{ post: '强化办副主任', name: '李强' }, { post: '某职务', name: '强化' }])).toBe('强化办副主任与某职务办主任张三');
  });

  it('treats names literally, not as patterns, and leaves text without names alone', () => {
    expect(anonymiseText('a.b 与 a+b', [{ post: 'P', name: 'a.b' }])).toBe('P 与 a+b');
    expect(anonymiseText('没有姓名', [{ post: '局长' }])).toBe('没有姓名');
    expect(anonymiseText('王五', [])).toBe('王五');
  });
});

describe('personText', () => {
  it('writes post and name, or only the post', () => {
    expect(personText({ post: '县教育局副局长', name: '王小明' }, false)).toBe('县教育局副局长王小明');
    expect(personText({ post: '县教育局副局长', name: '王小明' }, true)).toBe('县教育局副局长');
    expect(personText({ post: '股长', name: '  ' }, false)).toBe('股长');
  });
});
