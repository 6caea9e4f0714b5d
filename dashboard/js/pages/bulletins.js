// Inspector: the bulletin (通报) of a period's final cases, previewed and downloaded with the token.
import { download, get } from '../api.js';
import { act, field, h, mount, notice, today } from '../ui.js';

const FORMATS = [
  ['docx', 'Word 文档（.docx）'],
  ['html', '网页（.html）'],
  ['md', 'Markdown（.md）'],
];

/** A bulletin over many cases renders as a job: poll it, showing its progress, until it is done. */
async function waitForJob(jobId, slot) {
  for (let i = 0; i < 600; i += 1) {
    const job = await get(`/jobs/${jobId}`);
    if (job.status === 'succeeded') return job;
    if (job.status === 'failed') throw new Error(`通报生成失败：${(job.error && job.error.message) || '未知原因'}`);
    const { done, total } = job.progress || {};
    mount(slot, notice('info', `案例较多，通报正在后台生成（任务 ${jobId}${total ? `，${done}/${total}` : ''}），请稍候…`));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`通报仍在生成（任务 ${jobId}），请稍后再试。`);
}

export function bulletinsPage({ root, query }) {
  const year = today().slice(0, 4);
  const from = h('input', { type: 'date', name: 'from', value: query.from || `${year}-01-01`, required: true });
  const to = h('input', { type: 'date', name: 'to', value: query.to || today(), required: true });
  const anonymise = h('input', { type: 'checkbox', name: 'anonymise' });
  const slot = h('div', { class: 'slot', id: 'bulletin-result' });
  const preview = h('div', { id: 'bulletin-preview' });
  const previewButton = h('button', { type: 'button', class: 'secondary' }, '预览');
  previewButton.addEventListener('click', () =>
    act(previewButton, slot, async () => {
      let b = await get('/case-reports', { from: from.value, to: to.value, format: 'json', anonymise: anonymise.checked });
      if (b.jobId !== undefined && b.docNo === undefined) {
        await waitForJob(b.jobId, slot);
        b = await get(`/case-reports/outputs/${b.jobId}`);
        mount(slot);
      }
      mount(preview, 
        h('section', { class: 'card bulletin' },
          h('p', { class: 'doc-no' }, b.docNo),
          h('h2', {}, b.title),
          h('p', {}, b.addressee),
          h('p', {}, b.intro),
          (b.items || []).map((item) => [h('h3', {}, item.heading), (item.paragraphs || []).map((para) => h('p', {}, para))]),
          h('p', {}, b.figuresParagraph),
          h('p', {}, b.closing),
          (b.signature || []).map((line) => h('p', { class: 'signature' }, line)),
          h('p', { class: 'signature' }, b.issuedOnText || b.issuedOn)),
      );
    }),
  );
  const buttons = FORMATS.map(([format, label]) => {
    const b = h('button', { type: 'button', class: 'primary', dataset: { format } }, `下载 ${label}`);
    b.addEventListener('click', () =>
      act(b, slot, async () => {
        let res = await download('/case-reports', { from: from.value, to: to.value, format, anonymise: anonymise.checked }, `通报.${format}`);
        if (res.job) {
          await waitForJob(res.job.jobId, slot);
          res = await download(`/case-reports/outputs/${res.job.jobId}`, {}, `通报.${format}`);
        }
        mount(slot, notice('success', `已下载：${res.name}`));
      }),
    );
    return b;
  });
  mount(
    root,
    h('h1', {}, '典型问题通报'),
    h('p', { class: 'hint' }, '按处理日期汇总已定稿的典型案例，生成通报文稿。'),
    h('div', { class: 'card stack' },
      h('div', { class: 'grid-2' }, field('处理日期自', from), field('至', to)),
      h('label', { class: 'check' }, anonymise, '匿名（以职务代替姓名）'),
      h('div', { class: 'buttons' }, previewButton, buttons),
      slot),
    preview,
  );
}
