/**
 * 好差评 (GB/T 39734-2020 "一事一评"): one rating per interaction on five levels, the 差评 (levels 1–2) that
 * open a rectification item for the department with a deadline, the department's answer and closing
 * of those items, and the published statistics (satisfaction and rectification rates) that never
 * reveal who rated.
 */
package cn.govgate.ratings;
