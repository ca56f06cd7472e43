// Every call to govgate goes through request(method, path, body, headers): the session token is attached, errors
// come back in govgate's JSON error shape ({code, message, retryAfter}).
const config = require('../config');

function request(method, path, body, headers) {
  const token = getApp().globalData.token;
  return new Promise((resolve, reject) => {
    my.request({
      url: config.gatewayBaseUrl + path,
      method,
      headers: Object.assign({ 'Content-Type': 'application/json' }, token ? { Authorization: 'Bearer ' + token } : {},
        headers || {}),
      data: body === undefined ? undefined : JSON.stringify(body),
      dataType: 'json',
      success: res => (res.status >= 200 && res.status < 300 ? resolve(res.data) : reject(Object.assign({ status: res.status }, typeof res.data === 'object' ? res.data : { code: 'http.' + res.status }))),
      fail: err => reject({ code: 'network', message: err.errorMessage })
    });
  });
}

/** A calm message for a failure; a department outage says when to try again. */
function describe(err) {
  // 5xx is the department's side (an outage); a 404 such as department.bill_not_found is an answer.
  if (err && err.status >= 500) {
    return '办理部门的系统暂时无法连接，请' + (err.retryAfter ? Math.ceil(err.retryAfter / 60) + ' 分钟后' : '稍后') + '再试。';
  }
  return (err && err.message) || '暂时无法办理，请稍后再试。';
}

function idempotencyKey() {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
}

module.exports = { request, describe, idempotencyKey };
