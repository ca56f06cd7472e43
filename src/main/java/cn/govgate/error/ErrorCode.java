package cn.govgate.error;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one catalogue of every error the gateway answers with: the stable code ({@code
 * area.snake_case}, never changed once published), the HTTP status, the origin, and the message for
 * people in Chinese (zh-CN, the default) and English. Every failure the gateway renders is one of
 * these entries, so a code cannot be spelled twice or answered without its translations; {@code
 * contracts/errors/catalogue.yaml} publishes the same list and a test keeps the two equal.
 *
 * <p>Messages carry no dynamic data. What varies per occurrence (field names, the department,
 * limits) goes into the error's {@code details}, which never hold personal data.
 */
public enum ErrorCode {
  // ---- the request itself ----
  REQUEST_INVALID(
      "request.invalid",
      400,
      Origin.CLIENT,
      "请求中有不符合要求的字段，详见 details.fields",
      "The request has invalid fields; see details.fields"),
  REQUEST_BAD_REQUEST(
      "request.bad_request", 400, Origin.CLIENT, "请求格式不正确", "The request is malformed"),
  REQUEST_MALFORMED_JSON(
      "request.malformed_json",
      400,
      Origin.CLIENT,
      "请求正文必须是一个有效的 JSON 对象",
      "The request body must be one valid JSON object"),
  REQUEST_INVALID_ENCODING(
      "request.invalid_encoding",
      400,
      Origin.CLIENT,
      "请求中含有控制字符或不是 UTF-8 的文本",
      "The request contains a control character or text that is not UTF-8"),
  REQUEST_BAD_FRAMING(
      "request.bad_framing",
      400,
      Origin.CLIENT,
      "请求的 Content-Length 与 Transfer-Encoding 不能确定唯一的正文",
      "The request's Content-Length and Transfer-Encoding do not frame one body"),
  REQUEST_MALFORMED_HTTP(
      "request.malformed_http",
      400,
      Origin.CLIENT,
      "请求不是格式正确的 HTTP",
      "The request is not well-formed HTTP"),
  REQUEST_UNKNOWN_SERVICE_TYPE(
      "request.unknown_service_type", 400, Origin.CLIENT, "没有这种服务类型", "No such service type"),
  REQUEST_NOT_FOUND("request.not_found", 404, Origin.CLIENT, "没有这个资源", "No such resource"),
  REQUEST_METHOD_NOT_ALLOWED(
      "request.method_not_allowed",
      405,
      Origin.CLIENT,
      "此资源不支持该请求方法",
      "The method is not allowed on this resource"),
  REQUEST_NOT_ACCEPTABLE(
      "request.not_acceptable",
      406,
      Origin.CLIENT,
      "无法提供所接受的任何一种媒体类型",
      "None of the accepted media types can be produced"),
  REQUEST_TIMEOUT(
      "request.timeout", 408, Origin.CLIENT, "未能按时收到完整的请求", "The request was not received in time"),
  REQUEST_TOO_LARGE(
      "request.too_large",
      413,
      Origin.CLIENT,
      "请求正文超过允许的大小",
      "The request body is larger than allowed"),
  REQUEST_URI_TOO_LONG(
      "request.uri_too_long",
      414,
      Origin.CLIENT,
      "请求行超过允许的长度",
      "The request line is longer than allowed"),
  REQUEST_UNSUPPORTED_MEDIA_TYPE(
      "request.unsupported_media_type",
      415,
      Origin.CLIENT,
      "请求正文必须是 UTF-8 编码的 application/json",
      "The request body must be application/json in UTF-8"),
  REQUEST_HEADERS_TOO_LARGE(
      "request.headers_too_large",
      431,
      Origin.CLIENT,
      "请求头超过允许的大小",
      "The request headers are larger than allowed"),
  REQUEST_CONNECTION_CLOSED(
      "request.connection_closed",
      400,
      Origin.CLIENT,
      "请求尚未结束连接就已关闭",
      "The connection closed before the request ended"),

  // ---- who calls ----
  AUTH_INVALID_TOKEN(
      "auth.invalid_token",
      401,
      Origin.CLIENT,
      "需要有效的登录凭证，请重新登录",
      "A valid session token is required; log in again"),
  AUTH_FORBIDDEN("auth.forbidden", 403, Origin.CLIENT, "无权访问", "Access is not allowed"),
  AUTH_MISSING_CREDENTIALS(
      "auth.missing_credentials", 401, Origin.CLIENT, "需要管理凭证", "An admin credential is required"),
  AUTH_INVALID_CREDENTIALS(
      "auth.invalid_credentials",
      401,
      Origin.CLIENT,
      "管理凭证无效",
      "The admin credential is not valid"),
  AUTH_FORBIDDEN_DEPARTMENT(
      "auth.forbidden_department",
      403,
      Origin.CLIENT,
      "此凭证管理的是另一个部门",
      "This credential manages another department"),
  AUTH_OPERATOR_ONLY(
      "auth.operator_only", 403, Origin.CLIENT, "只有运营方可以执行此操作", "Only the operator may do this"),

  // ---- sessions and identity ----
  SESSION_UNKNOWN_CHANNEL(
      "session.unknown_channel", 400, Origin.CLIENT, "不支持此渠道", "This channel is not served"),
  SESSION_UNKNOWN_APP(
      "session.unknown_app", 400, Origin.CLIENT, "不支持此小程序", "This app is not served"),
  SESSION_INVALID_AUTH_CODE(
      "session.invalid_auth_code",
      400,
      Origin.CLIENT,
      "授权码无效、已过期或已被使用",
      "The auth code is invalid, expired or already used"),
  IDENTITY_SESSION_REQUIRED(
      "identity.session_required", 401, Origin.CLIENT, "请先登录", "Log in first"),
  IDENTITY_STEP_UP_REQUIRED(
      "identity.step_up_required",
      403,
      Origin.CLIENT,
      "此服务需要更高的认证等级（实名或人脸核验），所需等级见 details",
      "This service needs a higher assurance level (real name or face check); see details for the level"),
  IDENTITY_NOT_FOUND(
      "identity.not_found", 404, Origin.CLIENT, "没有这个渠道身份", "No such channel identity"),
  IDENTITY_CITIZEN_NOT_FOUND(
      "identity.citizen_not_found", 404, Origin.CLIENT, "没有这位市民", "No such citizen"),
  IDENTITY_INVALID_ID_NUMBER(
      "identity.invalid_id_number", 400, Origin.CLIENT, "身份证号码无效", "The ID number is not valid"),
  IDENTITY_TOO_MANY_ATTEMPTS(
      "identity.too_many_attempts",
      429,
      Origin.CLIENT,
      "核验次数过多，请稍后再试",
      "Too many verification attempts; try again later"),
  IDENTITY_FACE_REJECTED(
      "identity.face_rejected",
      400,
      Origin.CLIENT,
      "渠道拒绝发起人脸核验",
      "The channel refused to start the face check"),
  IDENTITY_FACE_FAILED(
      "identity.face_failed",
      422,
      Origin.CLIENT,
      "人脸核验未通过，未做任何绑定",
      "The face check did not pass; nothing was bound"),
  IDENTITY_VERIFICATION_NOT_FOUND(
      "identity.verification_not_found",
      404,
      Origin.CLIENT,
      "没有您的这次核验",
      "No such verification for this user"),
  IDENTITY_VERIFICATION_NOT_STARTED(
      "identity.verification_not_started",
      409,
      Origin.CLIENT,
      "这次核验的人脸检测从未开始",
      "The face check of this verification never started"),
  IDENTITY_VERIFICATION_PENDING(
      "identity.verification_pending",
      409,
      Origin.CLIENT,
      "人脸核验尚未完成，请在应用中完成后再试",
      "The face check has not finished; complete it in the app, then try again"),
  IDENTITY_VERIFICATION_ALREADY_COMPLETED(
      "identity.verification_already_completed",
      409,
      Origin.CLIENT,
      "这次核验已经完成",
      "This verification is already completed"),
  IDENTITY_ALREADY_BOUND(
      "identity.already_bound",
      409,
      Origin.CLIENT,
      "此账户已绑定他人，请先解除绑定",
      "This account is bound to another person; unbind it first"),
  IDENTITY_NOT_BOUND(
      "identity.not_bound", 409, Origin.CLIENT, "此账户尚未绑定", "This account is not bound"),

  // ---- the channels (Alipay, WeChat) ----
  CHANNEL_UNAVAILABLE(
      "channel.unavailable",
      503,
      Origin.CHANNEL,
      "渠道暂时不可用，请稍后再试",
      "The channel is unavailable; try again later"),
  CHANNEL_INTEGRATION_ERROR(
      "channel.integration_error",
      502,
      Origin.CHANNEL,
      "渠道返回了网关无法接受的内容",
      "The channel answered something the gateway cannot accept"),

  // ---- the departments ----
  DEPARTMENT_UNAVAILABLE(
      "department.unavailable",
      503,
      Origin.DEPARTMENT,
      "部门系统暂时无法提供服务，请稍后再试",
      "The department is temporarily unavailable; try again later"),
  DEPARTMENT_BUSY(
      "department.busy",
      503,
      Origin.DEPARTMENT,
      "部门系统正忙，请稍后再试",
      "The department is handling too many requests; try again shortly"),
  DEPARTMENT_UNDER_MAINTENANCE(
      "department.under_maintenance",
      503,
      Origin.DEPARTMENT,
      "部门系统正在进行计划内维护",
      "The department's system is under planned maintenance"),
  DEPARTMENT_TIMEOUT(
      "department.timeout",
      504,
      Origin.DEPARTMENT,
      "部门系统未能及时应答",
      "The department did not answer in time"),
  DEPARTMENT_CONNECTION_FAILED(
      "department.connection_failed",
      502,
      Origin.DEPARTMENT,
      "无法连接部门系统",
      "The department's system could not be reached"),
  DEPARTMENT_BAD_RESPONSE(
      "department.bad_response",
      502,
      Origin.DEPARTMENT,
      "部门系统的应答不符合约定",
      "The department answered outside its contract"),
  DEPARTMENT_ERROR(
      "department.error",
      502,
      Origin.DEPARTMENT,
      "部门系统未能给出应答",
      "The department's system failed to answer"),
  DEPARTMENT_REQUEST_REJECTED(
      "department.request_rejected",
      502,
      Origin.GATEWAY,
      "部门系统拒绝了网关的请求",
      "The department refused the gateway's request"),
  DEPARTMENT_AUTHENTICATION_FAILED(
      "department.authentication_failed",
      502,
      Origin.GATEWAY,
      "部门系统拒绝了网关的凭证",
      "The department refused the gateway's credentials"),
  DEPARTMENT_CITIZEN_NOT_FOUND(
      "department.citizen_not_found",
      404,
      Origin.DEPARTMENT,
      "部门没有您的记录",
      "The department has no record of this citizen"),
  DEPARTMENT_VEHICLE_NOT_FOUND(
      "department.vehicle_not_found",
      404,
      Origin.DEPARTMENT,
      "部门没有这辆车的记录",
      "The department has no record of this vehicle"),
  DEPARTMENT_BILL_NOT_FOUND(
      "department.bill_not_found",
      404,
      Origin.DEPARTMENT,
      "部门没有这笔账单",
      "The department has no such bill"),
  DEPARTMENT_ALREADY_PAID(
      "department.already_paid", 409, Origin.DEPARTMENT, "这笔款项已经缴纳", "This has already been paid"),
  DEPARTMENT_AMOUNT_MISMATCH(
      "department.amount_mismatch",
      409,
      Origin.DEPARTMENT,
      "金额与应缴金额不符",
      "The amount does not match the amount due"),
  DEPARTMENT_NOT_PAYABLE(
      "department.not_payable",
      409,
      Origin.DEPARTMENT,
      "此项不能在线缴纳，请到服务窗口办理",
      "This cannot be paid online; please visit a service window"),
  DEPARTMENT_UNKNOWN("department.unknown", 404, Origin.CLIENT, "没有这个部门", "No such department"),

  // ---- regions and services ----
  REGION_UNKNOWN(
      "region.unknown",
      404,
      Origin.CLIENT,
      "本网关不服务这个地区，已服务的地区见 details",
      "The region is not served by this gateway; see details for those served"),
  REGION_SERVICE_NOT_OFFERED(
      "region.service_not_offered",
      404,
      Origin.CLIENT,
      "这个地区不提供此项服务",
      "This service is not offered in this region"),
  SERVICE_NOT_OFFERED(
      "service.not_offered",
      404,
      Origin.CLIENT,
      "这个地区不提供此项证明",
      "This proof is not offered in this region"),
  TRAFFIC_VEHICLE_NOT_OWNED(
      "traffic.vehicle_not_owned",
      404,
      Origin.CLIENT,
      "这辆车不在您名下，请用号牌、号牌种类和车架号后六位查询",
      "This vehicle is not registered to you; look it up by plate, plate type and VIN instead"),
  TRAFFIC_LOOKUP_RATE_LIMITED(
      "traffic.lookup_rate_limited",
      429,
      Origin.CLIENT,
      "车辆查询次数已达上限，请稍后再试",
      "Too many vehicle lookups; try again later"),

  // ---- payments ----
  PAYMENT_IDEMPOTENCY_KEY_REQUIRED(
      "payment.idempotency_key_required",
      400,
      Origin.CLIENT,
      "需要 8 至 64 个可打印字符的 Idempotency-Key 请求头",
      "An Idempotency-Key header of 8 to 64 printable characters is required"),
  PAYMENT_IDEMPOTENCY_KEY_REUSED(
      "payment.idempotency_key_reused",
      422,
      Origin.CLIENT,
      "此 Idempotency-Key 已用于另一笔支付",
      "This Idempotency-Key was used for another payment"),
  PAYMENT_BILL_ALREADY_HAS_ORDER(
      "payment.bill_already_has_order",
      409,
      Origin.CLIENT,
      "这笔账单已有一笔正在进行的支付",
      "This bill already has a payment in progress"),
  PAYMENT_NOT_FOUND("payment.not_found", 404, Origin.CLIENT, "没有这笔支付订单", "No such payment order"),
  PAYMENT_BILL_NOT_FOUND(
      "payment.bill_not_found",
      404,
      Origin.CLIENT,
      "您名下的车辆没有这个决定书编号的罚单",
      "No fine with this decision number on your vehicles"),
  PAYMENT_NOT_PAYABLE(
      "payment.not_payable",
      409,
      Origin.CLIENT,
      "这笔罚单须先到服务窗口处理",
      "This fine must be handled at a service window first"),
  PAYMENT_NOTHING_TO_PAY(
      "payment.nothing_to_pay", 409, Origin.CLIENT, "这笔账单没有应缴金额", "Nothing is due on this bill"),
  PAYMENT_ALREADY_PAID(
      "payment.already_paid",
      409,
      Origin.CLIENT,
      "部门显示这笔款项已缴纳",
      "The department shows this as paid"),
  PAYMENT_CHANNEL_NOT_CONFIGURED(
      "payment.channel_not_configured",
      503,
      Origin.GATEWAY,
      "暂不支持通过此渠道支付",
      "Payments through this channel are not available"),
  PAYMENT_CHANNEL_FAILED(
      "payment.channel_failed",
      502,
      Origin.CHANNEL,
      "支付渠道未能创建订单，请重试",
      "The payment channel did not create the order; try again"),
  PAYMENT_NOT_IN_REVIEW(
      "payment.not_in_review",
      409,
      Origin.CLIENT,
      "只有待复核（needs_review）的订单可以处理",
      "Only an order in needs_review can be resolved"),
  PAYMENT_NOTHING_TO_REFUND(
      "payment.nothing_to_refund",
      409,
      Origin.CLIENT,
      "支付渠道未报告这笔订单收到款项，无可退款",
      "The channel reported no money for this order to refund"),
  PAYMENT_NOTHING_TO_BOOK(
      "payment.nothing_to_book",
      409,
      Origin.CLIENT,
      "支付渠道未报告这笔订单收到款项，无可入账",
      "The channel reported no money for this order to book"),

  // ---- proofs ----
  PROOF_UNKNOWN("proof.unknown", 404, Origin.CLIENT, "没有这份证明", "No such proof"),
  PROOF_ALREADY_REVOKED(
      "proof.already_revoked", 409, Origin.CLIENT, "这份证明已被撤销", "The proof is already revoked"),

  // ---- ratings (好差评) and rectifications ----
  RATING_LEVEL_INVALID(
      "rating.level_invalid",
      400,
      Origin.CLIENT,
      "评价等级必须是 1 到 5 的整数",
      "level must be an integer from 1 to 5"),
  RATING_COMMENT_REQUIRED(
      "rating.comment_required",
      400,
      Origin.CLIENT,
      "1 或 2 星的评价（差评）需要填写意见",
      "A rating of 1 or 2 (差评) needs a comment"),
  RATING_INDICATOR_UNKNOWN(
      "rating.indicator_unknown",
      400,
      Origin.CLIENT,
      "未知的评价指标，可选指标见 details",
      "Unknown evaluation indicator; see details for the allowed ones"),
  RATING_INTERACTION_UNKNOWN(
      "rating.interaction_unknown",
      404,
      Origin.CLIENT,
      "您没有这个编号的办事记录",
      "No interaction of yours has this id"),
  RATING_WINDOW_CLOSED(
      "rating.window_closed", 409, Origin.CLIENT, "评价期限已过", "The rating window has closed"),
  RATING_ALREADY_RATED(
      "rating.already_rated",
      409,
      Origin.CLIENT,
      "这次办事已经评价过",
      "This interaction has already been rated"),
  RECTIFICATION_UNKNOWN(
      "rectification.unknown",
      404,
      Origin.CLIENT,
      "本部门没有这个编号的整改事项",
      "The department has no rectification item with this id"),
  RECTIFICATION_CLOSED(
      "rectification.closed",
      409,
      Origin.CLIENT,
      "整改事项已经关闭",
      "The rectification item is already closed"),
  RECTIFICATION_NOT_ANSWERED(
      "rectification.not_answered",
      409,
      Origin.CLIENT,
      "请先答复整改事项再关闭",
      "Answer the item before closing it"),

  // ---- consultations and complaints (政务互动) ----
  COMPLAINT_NOT_FOUND(
      "complaint.not_found",
      404,
      Origin.CLIENT,
      "没有您的这件咨询或投诉",
      "No such consultation or complaint of yours"),
  COMPLAINT_INTERACTION_UNKNOWN(
      "complaint.interaction_unknown",
      404,
      Origin.CLIENT,
      "您没有这个编号的办事记录",
      "No interaction of yours has this id"),
  COMPLAINT_CASE_UNKNOWN(
      "complaint.case_unknown", 404, Origin.CLIENT, "您的办件中没有这个编号", "No case of yours has this id"),
  COMPLAINT_ALREADY_REPLIED(
      "complaint.already_replied",
      409,
      Origin.CLIENT,
      "这件事项已经答复",
      "The item has already been replied to"),
  COMPLAINT_CLOSED("complaint.closed", 409, Origin.CLIENT, "这件事项已经办结", "The item is closed"),
  COMPLAINT_NOT_REPLIED(
      "complaint.not_replied",
      409,
      Origin.CLIENT,
      "请先答复再办结",
      "Reply to the item before closing it"),
  COMPLAINT_TRANSFER_TARGET_UNKNOWN(
      "complaint.transfer_target_unknown",
      422,
      Origin.CLIENT,
      "没有可以转办的这个部门",
      "There is no department with this id to transfer to"),
  COMPLAINT_IDEMPOTENCY_KEY_REUSED(
      "complaint.idempotency_key_reused",
      422,
      Origin.CLIENT,
      "此 Idempotency-Key 已用于另一件事项",
      "This Idempotency-Key was used for a different item"),
  COMPLAINT_DAILY_LIMIT(
      "complaint.daily_limit",
      429,
      Origin.CLIENT,
      "您今天提交的咨询和投诉已达上限",
      "You have filed the most items allowed for one day"),

  // ---- reminders (主动服务) ----
  REMINDER_TOPIC_UNAVAILABLE(
      "reminder.topic_unavailable",
      409,
      Origin.CLIENT,
      "此小程序没有这类提醒的模板",
      "This mini-program has no template for this topic"),
  REMINDER_NOT_FOUND(
      "reminder.not_found", 404, Origin.CLIENT, "没有您的这项订阅", "No such subscription of yours"),

  // ---- the admin API (registry) ----
  ADMIN_DEPARTMENT_EXISTS(
      "admin.department_exists",
      409,
      Origin.CLIENT,
      "已有这个编号的部门",
      "A department with this id exists"),
  ADMIN_DEPARTMENT_NOT_FOUND(
      "admin.department_not_found", 404, Origin.CLIENT, "没有这个部门", "No such department"),
  ADMIN_BACKEND_NOT_FOUND(
      "admin.backend_not_found",
      404,
      Origin.CLIENT,
      "本部门没有这个后端",
      "No such backend in this department"),
  REGISTRY_ROUTE_NOT_ASSIGNED(
      "registry.route_not_assigned",
      403,
      Origin.CLIENT,
      "运营方尚未把这些路由分配给本部门",
      "The operator has not assigned these routes to this department"),
  REGISTRY_ROUTE_ASSIGNED_ELSEWHERE(
      "registry.route_assigned_elsewhere",
      409,
      Origin.CLIENT,
      "这些路由已分配给另一个部门，请先在那里收回",
      "These routes are assigned to another department; withdraw them there first"),
  REGISTRY_ASSIGNMENT_NOT_FOUND(
      "registry.assignment_not_found",
      404,
      Origin.CLIENT,
      "这条路由没有分配给本部门",
      "This route is not assigned to this department"),
  REGISTRY_ROUTE_IN_USE(
      "registry.route_in_use",
      409,
      Origin.CLIENT,
      "本部门仍有后端在服务这条路由，请先注销或修改它们",
      "Backends of this department still serve this route; deregister or change them first"),
  REGISTRY_CREDENTIAL_NOT_FOUND(
      "registry.credential_not_found",
      404,
      Origin.CLIENT,
      "本部门没有这个编号的凭证",
      "The department has no credential with this id"),
  REGISTRY_CREDENTIAL_NOT_ACTIVE(
      "registry.credential_not_active",
      409,
      Origin.CLIENT,
      "只有有效的凭证可以轮换，这个凭证已被轮换或吊销",
      "Only an active credential can be rotated; this one was rotated or revoked"),

  // ---- my cases (我的办件) ----
  CASE_NOT_FOUND("case.not_found", 404, Origin.CLIENT, "没有您的这件办件", "No such case of yours"),

  // ---- partner platforms and consents (授权) ----
  PARTNER_SIGNATURE_MISSING(
      "partner.signature_missing",
      401,
      Origin.CLIENT,
      "缺少 GOVGATE-RSA2 或 GOVGATE-SM2 签名头",
      "A GOVGATE-RSA2 or GOVGATE-SM2 Authorization header is required"),
  PARTNER_SIGNATURE_MALFORMED(
      "partner.signature_malformed",
      401,
      Origin.CLIENT,
      "签名头格式不正确，原因见 details.reason",
      "The Authorization header is malformed; see details.reason"),
  PARTNER_UNKNOWN_APP(
      "partner.unknown_app",
      401,
      Origin.CLIENT,
      "未知或已暂停的应用，或未知的密钥编号",
      "Unknown or suspended app, or unknown key id"),
  PARTNER_KEY_REVOKED(
      "partner.key_revoked", 401, Origin.CLIENT, "此密钥已被吊销", "This key id was revoked"),
  PARTNER_ALGORITHM_MISMATCH(
      "partner.algorithm_mismatch",
      401,
      Origin.CLIENT,
      "签名算法与该密钥登记的算法不一致",
      "The scheme is not the algorithm this key id was registered for"),
  PARTNER_TIMESTAMP_OUT_OF_WINDOW(
      "partner.timestamp_out_of_window",
      401,
      Origin.CLIENT,
      "时间戳与网关时间相差超过 300 秒",
      "The timestamp is more than 300 seconds from the gateway's clock"),
  PARTNER_SIGNATURE_INVALID(
      "partner.signature_invalid",
      401,
      Origin.CLIENT,
      "签名验证失败",
      "The signature does not verify over the canonical request"),
  PARTNER_NONCE_REPLAYED(
      "partner.nonce_replayed",
      401,
      Origin.CLIENT,
      "此随机数已在有效期内使用过",
      "This nonce was already used within the window"),
  PARTNER_SCOPE_DENIED(
      "partner.scope_denied",
      403,
      Origin.CLIENT,
      "未授予该合作方此权限范围",
      "The partner was not granted this scope"),
  PARTNER_QUOTA_EXCEEDED(
      "partner.quota_exceeded", 429, Origin.CLIENT, "合作方的调用配额已用完", "The partner's quota is spent"),
  PARTNER_NOT_FOUND(
      "partner.not_found", 404, Origin.CLIENT, "没有这个合作方", "No partner with this app id"),
  PARTNER_ALREADY_EXISTS(
      "partner.already_exists",
      409,
      Origin.CLIENT,
      "已有这个应用编号的合作方",
      "A partner with this app id exists"),
  PARTNER_KEY_EXISTS(
      "partner.key_exists",
      409,
      Origin.CLIENT,
      "该合作方已有这个密钥编号",
      "The partner already has a key with this key id"),
  PARTNER_KEY_NOT_FOUND(
      "partner.key_not_found",
      404,
      Origin.CLIENT,
      "该合作方没有这个密钥编号",
      "The partner has no key with this key id"),
  CONSENT_REQUIRED(
      "consent.required",
      403,
      Origin.CLIENT,
      "此接口涉及个人数据，请提供 consentId",
      "This endpoint reaches personal data: name a consentId"),
  CONSENT_NOT_GRANTED(
      "consent.not_granted",
      403,
      Origin.CLIENT,
      "没有授予此合作方的这项授权",
      "No consent with this id was granted to this partner"),
  CONSENT_REVOKED(
      "consent.revoked", 403, Origin.CLIENT, "市民已撤销此授权", "The citizen revoked this consent"),
  CONSENT_EXPIRED("consent.expired", 403, Origin.CLIENT, "此授权已过期", "This consent has expired"),
  CONSENT_SCOPE_NOT_COVERED(
      "consent.scope_not_covered",
      403,
      Origin.CLIENT,
      "此授权不包含该权限范围",
      "The consent does not cover this scope"),
  CONSENT_NOT_FOUND(
      "consent.not_found", 404, Origin.CLIENT, "没有您的这项授权", "No consent of yours has this id"),
  CONSENT_PARTNER_UNKNOWN(
      "consent.partner_unknown",
      422,
      Origin.CLIENT,
      "没有这个应用编号的在用合作方",
      "There is no active partner with this app id"),
  CONSENT_SCOPE_NOT_OFFERED(
      "consent.scope_not_offered",
      422,
      Origin.CLIENT,
      "不能授予该合作方此权限范围",
      "The partner may not be granted this scope"),

  // ---- the gateway ----
  STORE_BUSY(
      "store.busy",
      503,
      Origin.GATEWAY,
      "服务正忙，请稍后再试",
      "The service is handling too many requests; try again shortly"),
  STORE_TIMEOUT(
      "store.timeout",
      503,
      Origin.GATEWAY,
      "服务未能按时完成请求，请稍后再试",
      "The service could not complete the request in time; try again shortly"),
  STORE_UNAVAILABLE(
      "store.unavailable",
      503,
      Origin.GATEWAY,
      "服务暂时无法访问数据，请稍后再试",
      "The service cannot reach its data right now; try again later"),
  GATEWAY_INTERNAL_ERROR(
      "gateway.internal_error",
      500,
      Origin.GATEWAY,
      "发生了意外错误；报告问题时请提供 errorId",
      "An unexpected error occurred; quote the errorId when reporting it");

  private static final Map<String, ErrorCode> BY_WIRE =
      Stream.of(values())
          .collect(Collectors.toUnmodifiableMap(ErrorCode::wire, Function.identity()));

  private final String wire;
  private final int status;
  private final Origin origin;
  private final String zh;
  private final String en;

  ErrorCode(String wire, int status, Origin origin, String zh, String en) {
    this.wire = wire;
    this.status = status;
    this.origin = origin;
    this.zh = zh;
    this.en = en;
  }

  /** The stable code on the wire, e.g. {@code department.unavailable}. */
  public String wire() {
    return wire;
  }

  /** The HTTP status the client gets. */
  public int status() {
    return status;
  }

  public Origin origin() {
    return origin;
  }

  /** The message for people, in {@code language}. */
  public String message(MessageLanguage language) {
    return language == MessageLanguage.EN ? en : zh;
  }

  /** The entry of a wire code, if the catalogue has one. */
  public static Optional<ErrorCode> fromWire(String wire) {
    return Optional.ofNullable(wire == null ? null : BY_WIRE.get(wire));
  }

  /** A failure with this code. */
  public ApiException error() {
    return new ApiException(this);
  }

  /** A failure with this code and machine-readable context (never personal data). */
  public ApiException error(JsonObject details) {
    return new ApiException(this, details, null, null);
  }
}
