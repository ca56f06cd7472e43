package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.APP_ID;
import static cn.govgate.channel.wechat.WechatTestBed.LI;
import static cn.govgate.channel.wechat.WechatTestBed.ZHANG;
import static cn.govgate.channel.wechat.WechatTestBed.await;
import static cn.govgate.channel.wechat.WechatTestBed.failure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.ChannelSubject;
import cn.govgate.channel.spi.FaceVerification.FaceRequest;
import cn.govgate.channel.spi.FaceVerification.FaceResult;
import cn.govgate.channel.spi.FaceVerification.FaceStart;
import cn.govgate.channel.spi.FaceVerification.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** City-service face verification, new ({@code getverifyid}) and legacy ({@code getinfo}) flows. */
class FaceTest {

  static WechatTestBed bed;
  ChannelSubject zhang;
  ChannelSubject li;

  @BeforeAll
  static void start() {
    bed = WechatTestBed.start();
  }

  @AfterAll
  static void stop() {
    bed.close();
  }

  @BeforeEach
  void login() {
    bed.sim.knobs().forcedVerifyRet(null).pendingVerifyRet(10005).getinfoMd5UpperCase(false);
    zhang = bed.login(ZHANG);
    li = bed.login(LI);
  }

  static FaceRequest request(ChannelSubject subject, String outSeqNo) {
    return request(subject, ZHANG.name(), ZHANG.idNumber(), outSeqNo);
  }

  static FaceRequest request(
      ChannelSubject subject, String name, String idNumber, String outSeqNo) {
    return new FaceRequest(subject.appId(), subject.userId(), name, idNumber, outSeqNo, null);
  }

  @Test
  void passesWhenThePersonIsTheClaimedIdentity() {
    FaceRequest request = request(zhang, "seq_pass_0001");
    FaceStart start = await(bed.adapter.startFace(request));
    assertThat(start.clientParams()).containsEntry("verifyId", start.reference());
    assertThat(start.expiresAt()).isEqualTo(bed.clock.instant().plusSeconds(3600));

    assertThat(bed.sim.performFace(start.reference(), ZHANG.openid())).isEqualTo(10000);
    FaceResult result = await(bed.adapter.queryFace(request, start.reference()));

    assertThat(result.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(result.channelCode()).isEqualTo("verify_ret=10000");
  }

  @Test
  void isPendingBeforeTheCheckIsPerformed() {
    FaceRequest request = request(zhang, "seq_pending_01");
    FaceStart start = await(bed.adapter.startFace(request));

    assertThat(await(bed.adapter.queryFace(request, start.reference())).outcome())
        .isEqualTo(Outcome.PENDING);
    bed.sim.knobs().pendingVerifyRet(10300);
    assertThat(await(bed.adapter.queryFace(request, start.reference())).channelCode())
        .isEqualTo("verify_ret=10300");
  }

  @Test
  void failsWhenTheCitizenClaimsSomeoneElsesIdentity() {
    FaceRequest request = request(li, ZHANG.name(), ZHANG.idNumber(), "seq_other_001");
    FaceStart start = await(bed.adapter.startFace(request));

    bed.sim.performFace(start.reference(), LI.openid());
    FaceResult result = await(bed.adapter.queryFace(request, start.reference()));

    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.channelCode()).isEqualTo("verify_ret=10003");
  }

  @Test
  void failsWhenSomeoneElsePerformsTheCheck() {
    FaceRequest request = request(zhang, "seq_other_002");
    FaceStart start = await(bed.adapter.startFace(request));

    bed.sim.performFace(start.reference(), LI.openid());

    assertThat(await(bed.adapter.queryFace(request, start.reference())).channelCode())
        .isEqualTo("verify_ret=10004");
  }

  @Test
  void doesNotPassWhenTheQueryIsBoundToAnotherIdentity() {
    FaceRequest request = request(zhang, "seq_hash_0001");
    FaceStart start = await(bed.adapter.startFace(request));
    bed.sim.performFace(start.reference(), ZHANG.openid());

    FaceRequest otherIdentity = request(zhang, LI.name(), LI.idNumber(), "seq_hash_0001");

    assertThat(await(bed.adapter.queryFace(otherIdentity, start.reference())).outcome())
        .isEqualTo(Outcome.FAILED);
  }

  @Test
  void reportsAForcedVerifyRet() {
    FaceRequest request = request(zhang, "seq_forced_01");
    FaceStart start = await(bed.adapter.startFace(request));
    bed.sim.knobs().forcedVerifyRet(90002);

    assertThat(await(bed.adapter.queryFace(request, start.reference())).outcome())
        .isEqualTo(Outcome.FAILED);
  }

  @Test
  void rejectsAnOpenidThatIsNotAUserOfTheApp() {
    FaceRequest stranger =
        new FaceRequest(
            APP_ID,
            "oNotAUserOfThisApp00000000",
            "王五",
            "110101199001011234",
            "seq_stranger1",
            null);

    assertThat(failure(bed.adapter.startFace(stranger)).kind()).isEqualTo(Kind.REJECTED);
  }

  @Test
  void refusesAnIncompleteRequestWithoutCallingThePlatform() {
    FaceRequest noIdNumber =
        new FaceRequest(APP_ID, ZHANG.openid(), ZHANG.name(), null, "seq_incomplete", null);

    assertThat(failure(bed.adapter.startFace(noIdNumber)).kind()).isEqualTo(Kind.REJECTED);
    assertThat(failure(bed.adapter.queryFace(noIdNumber, "verify_id_x")).kind())
        .isEqualTo(Kind.REJECTED);
  }

  @Test
  void legacyFlowPassesForTheClaimedIdentity() {
    String verifyResult =
        bed.sim.performLegacyFace(APP_ID, ZHANG.openid(), ZHANG.name(), ZHANG.idNumber());

    FaceResult result =
        await(
            bed.adapter.queryLegacyIdentify(
                APP_ID, ZHANG.openid(), ZHANG.name(), ZHANG.idNumber(), verifyResult));

    assertThat(result.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(result.channelCode()).isEqualTo("identify_ret=0");
  }

  @Test
  void legacyFlowAcceptsUpperCaseDigests() {
    bed.sim.knobs().getinfoMd5UpperCase(true);
    String verifyResult = bed.sim.performLegacyFace(APP_ID, LI.openid(), LI.name(), LI.idNumber());

    assertThat(
            await(
                    bed.adapter.queryLegacyIdentify(
                        APP_ID, LI.openid(), LI.name(), LI.idNumber(), verifyResult))
                .outcome())
        .isEqualTo(Outcome.PASSED);
  }

  @Test
  void legacyFlowFailsWhenTheVerifiedIdentityIsNotTheClaimedOne() {
    String verifyResult = bed.sim.performLegacyFace(APP_ID, LI.openid(), LI.name(), LI.idNumber());

    FaceResult claimsZhang =
        await(
            bed.adapter.queryLegacyIdentify(
                APP_ID, LI.openid(), ZHANG.name(), ZHANG.idNumber(), verifyResult));
    FaceResult otherSession =
        await(
            bed.adapter.queryLegacyIdentify(
                APP_ID, ZHANG.openid(), LI.name(), LI.idNumber(), verifyResult));

    assertThat(claimsZhang.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(otherSession.outcome()).isEqualTo(Outcome.FAILED);
  }

  @Test
  void legacyFlowFailsWhenTheFaceDidNotMatch() {
    String verifyResult =
        bed.sim.performLegacyFace(APP_ID, LI.openid(), ZHANG.name(), ZHANG.idNumber());

    FaceResult result =
        await(
            bed.adapter.queryLegacyIdentify(
                APP_ID, LI.openid(), ZHANG.name(), ZHANG.idNumber(), verifyResult));

    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.channelCode()).isEqualTo("identify_ret=10003");
  }

  @Test
  void legacyFlowRejectsAStaleResult() {
    String verifyResult =
        bed.sim.performLegacyFace(APP_ID, ZHANG.openid(), ZHANG.name(), ZHANG.idNumber());
    WechatAdapter later = bed.adapter(c -> c, bed.clock.ahead(Duration.ofMinutes(11)));

    assertThat(
            await(
                    later.queryLegacyIdentify(
                        APP_ID, ZHANG.openid(), ZHANG.name(), ZHANG.idNumber(), verifyResult))
                .detail())
        .isEqualTo("face check is stale");
  }
}
