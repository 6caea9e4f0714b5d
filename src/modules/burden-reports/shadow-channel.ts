/** How a shadow demand (one sent down without registration) reached the unit. Codes in the API, labels for people. */
export const SHADOW_CHANNELS = ['wechat_group', 'phone', 'app', 'paper_notice', 'other'] as const;
export type ShadowChannel = (typeof SHADOW_CHANNELS)[number];

export const SHADOW_CHANNEL_LABELS: Record<ShadowChannel, string> = {
  wechat_group: '微信群',
  phone: '电话',
  app: 'APP',
  paper_notice: '纸质通知',
  other: '其他',
};
