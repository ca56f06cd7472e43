const api = require('../../utils/api');

Page({
  data: { items: [], nextCursor: null, message: '' },

  onLoad() { this.load(null); },
  more() { this.load(this.data.nextCursor); },

  // 我的办件: newest first, paged by the cursor govgate answers.
  load(cursor) {
    api.request('GET', '/v1/my/cases?limit=10' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''))
      .then(r => this.setData({ items: this.data.items.concat(r.items), nextCursor: r.nextCursor || null }))
      .catch(err => this.setData({ message: api.describe(err) }));
  }
});
