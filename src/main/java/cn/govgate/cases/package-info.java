/**
 * 我的办件 (my cases): one list, newest first and paged by cursor, of everything a citizen started —
 * payments, proofs, ratings with the rectification they opened, identity verifications,
 * consultations and complaints, consents granted to partner platforms — each with its status,
 * progress steps and a link to its detail. Reads the other concerns' tables (read only, one query);
 * never anyone else's items: a bound session sees its citizen's items and those of every channel
 * identity bound to that citizen, an unbound (L1) session what its own channel identity did.
 */
package cn.govgate.cases;
