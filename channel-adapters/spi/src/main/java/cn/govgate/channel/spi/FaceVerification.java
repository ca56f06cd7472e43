package cn.govgate.channel.spi;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.Map;

/**
 * The channel's live face verification (实人认证) against an identity the gateway supplies. The
 * mini-program runs the face check inside the super-app; the gateway starts it and asks for the
 * result server-side. A client-side "passed" is never trusted.
 */
public interface FaceVerification {

  /**
   * Starts a verification of {@code request.name()} + {@code request.idNumber()} for the channel
   * user.
   *
   * @return the channel's reference and what the mini-program needs to run the check
   */
  Future<FaceStart> startFace(FaceRequest request);

  /**
   * Asks the channel for the outcome of a verification started with {@link #startFace}. The same
   * request (identity, user, out sequence number) must be passed again: channels bind the result to
   * them.
   */
  Future<FaceResult> queryFace(FaceRequest request, String reference);

  /**
   * @param appId the app id the user logged in with
   * @param userId the channel user key from {@link ChannelSubject#userId()}
   * @param name full name to verify
   * @param idNumber 18-character ID number to verify (upper case X)
   * @param outSeqNo the gateway's own reference, 5–32 characters of {@code [0-9A-Za-z_-]}, unique
   *     per app
   * @param returnUrl where a web flow returns to (Alipay certify page), may be null
   */
  record FaceRequest(
      String appId,
      String userId,
      String name,
      String idNumber,
      String outSeqNo,
      String returnUrl) {
    @Override
    public String toString() {
      return "FaceRequest[appId=" + appId + ", outSeqNo=" + outSeqNo + "]";
    }
  }

  /**
   * @param reference the channel's verification id (Alipay {@code certify_id}, WeChat {@code
   *     verify_id})
   * @param clientParams what the mini-program passes to the channel's face API (e.g. {@code
   *     certifyUrl}, {@code verifyId}); keys are camelCase, values strings
   * @param expiresAt when the reference stops being usable, null if the channel does not say
   */
  record FaceStart(String reference, Map<String, String> clientParams, Instant expiresAt) {}

  /** Outcome of a face verification as the channel reports it server-side. */
  enum Outcome {
    /** The person passed the live face check for exactly the identity the gateway submitted. */
    PASSED,
    /** The check ran and failed (face mismatch, identity mismatch, refused). */
    FAILED,
    /** The check has not finished yet (not performed, still detecting). */
    PENDING
  }

  /**
   * @param outcome the outcome
   * @param channelCode the channel's raw result code ({@code passed=T}, {@code verify_ret=10000}…)
   * @param detail a short, non-personal explanation from the channel, may be null
   */
  record FaceResult(Outcome outcome, String channelCode, String detail) {}
}
