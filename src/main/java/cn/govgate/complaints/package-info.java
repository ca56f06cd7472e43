/**
 * 政务互动: consultations (咨询) and complaints (投诉) citizens file about a service in a region, routed to
 * the department registered for it, with reply deadlines in working days; the department's side
 * (list, reply, transfer, close) on the admin API; overdue items marked, counted and alerted on.
 * Text is personal data, sealed at rest.
 */
package cn.govgate.complaints;
