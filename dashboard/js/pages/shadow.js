// Reporting a demand that arrived without registration (shadow demand) and the hours it cost.
import { post } from '../api.js';
import { act, CHANNEL_LABELS, field, formValues, h, KIND_LABELS, mount, notice, select, today } from '../ui.js';
import { reportingUnits, unitPicker } from '../reporter-units.js';

export async function shadowPage({ root, user }) {
  const units = await reportingUnits(user);
  let unitId = user.orgUnitId;
  const slot = h('div', { class: 'slot', id: 'shadow-result' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, '提交报告');
  const form = h(
    'form',
    { class: 'stack', id: 'shadow-form' },
    field('填报单位', unitPicker(units, unitId, (id) => (unitId = id))),
    field('下达单位', h('input', { name: 'issuerName', required: true, placeholder: '如 县某局' })),
    field('事项名称', h('input', { name: 'title', required: true, placeholder: '如 请于今天下班前报送辖区企业名单' })),
    field('事项类型', select('kind', Object.entries(KIND_LABELS), 'report')),
    field('下达渠道', select('channel', Object.entries(CHANNEL_LABELS), 'wechat_group')),
    field('收到日期', h('input', { type: 'date', name: 'receivedOn', required: true, max: today(), value: today() })),
    field('耗时（小时）', h('input', { type: 'number', name: 'hoursSpent', required: true, min: '0.25', step: '0.25', inputmode: 'decimal' })),
    field('参与人数', h('input', { type: 'number', name: 'staffInvolved', min: '1', step: '1', inputmode: 'numeric' })),
    field('说明', h('textarea', { name: 'note', rows: 2 })),
    slot,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, slot, async () => {
      const v = formValues(form);
      const body = {
        unitId,
        hoursSpent: Number(v.hoursSpent),
        shadow: { issuerName: v.issuerName.trim(), title: v.title.trim(), kind: v.kind, channel: v.channel, receivedOn: v.receivedOn },
      };
      if (v.staffInvolved) body.staffInvolved = Number(v.staffInvolved);
      if (v.note && v.note.trim()) body.note = v.note.trim();
      const report = await post('/burden-reports', body);
      form.reset();
      mount(slot, notice('success', `已报告未登记事项（报告编号 ${report.id}，${report.month}），减负办将核实处理。`));
    });
  });
  mount(root, h('h1', {}, '报告未登记事项'), h('p', { class: 'hint' }, '未经登记、通过微信群、电话等方式下达的事项，请如实报告，计入隐形负担。报告人身份不向发文单位公开。'), form);
}
