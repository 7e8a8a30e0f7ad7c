/* Two-phase commit (Lamport's TwoPhase): the Promela twin of src-main/models/twophase.ts, for test/bench/checker.ts.
   One process with a single control state steps through d_step guarded commands, one per action, so every SPIN
   state is exactly one model state: with -DNOREDUCE -DSAFETY, SPIN's "states, stored" equals our unique count
   (rms=8: 1,745,408) and "transitions" matches our generated count minus the initial state.
   Set the size on the command line: spin -DRMS=8 -a twophase.pml  (RMS = 1..8) */
#ifndef RMS
#define RMS 3
#endif
#define TM_INIT 0
#define TM_COMMITTED 1
#define TM_ABORTED 2
#define WORKING 0
#define PREPARED 1
#define COMMITTED 2
#define ABORTED 3
#if RMS == 1
#define ALL_PREPARED (tmPrepared[0])
#elif RMS == 2
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1])
#elif RMS == 3
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2])
#elif RMS == 4
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3])
#elif RMS == 5
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4])
#elif RMS == 6
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5])
#elif RMS == 7
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5] && tmPrepared[6])
#elif RMS == 8
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5] && tmPrepared[6] && tmPrepared[7])
#endif

byte tm = TM_INIT;
bit commitMsg;
bit abortMsg;
byte rm[RMS];
bit tmPrepared[RMS];
bit preparedMsg[RMS];

active proctype TwoPhase() {
end:
  do
  :: d_step { tm == TM_INIT && ALL_PREPARED -> tm = TM_COMMITTED; commitMsg = 1 }
  :: d_step { tm == TM_INIT -> tm = TM_ABORTED; abortMsg = 1 }
#if RMS > 0
  :: d_step { tm == TM_INIT && preparedMsg[0] -> tmPrepared[0] = 1 }
  :: d_step { rm[0] == WORKING -> rm[0] = PREPARED; preparedMsg[0] = 1 }
  :: d_step { rm[0] == WORKING -> rm[0] = ABORTED }
  :: d_step { commitMsg -> rm[0] = COMMITTED }
  :: d_step { abortMsg -> rm[0] = ABORTED }
#endif
#if RMS > 1
  :: d_step { tm == TM_INIT && preparedMsg[1] -> tmPrepared[1] = 1 }
  :: d_step { rm[1] == WORKING -> rm[1] = PREPARED; preparedMsg[1] = 1 }
  :: d_step { rm[1] == WORKING -> rm[1] = ABORTED }
  :: d_step { commitMsg -> rm[1] = COMMITTED }
  :: d_step { abortMsg -> rm[1] = ABORTED }
#endif
#if RMS > 2
  :: d_step { tm == TM_INIT && preparedMsg[2] -> tmPrepared[2] = 1 }
  :: d_step { rm[2] == WORKING -> rm[2] = PREPARED; preparedMsg[2] = 1 }
  :: d_step { rm[2] == WORKING -> rm[2] = ABORTED }
  :: d_step { commitMsg -> rm[2] = COMMITTED }
  :: d_step { abortMsg -> rm[2] = ABORTED }
#endif
#if RMS > 3
  :: d_step { tm == TM_INIT && preparedMsg[3] -> tmPrepared[3] = 1 }
  :: d_step { rm[3] == WORKING -> rm[3] = PREPARED; preparedMsg[3] = 1 }
  :: d_step { rm[3] == WORKING -> rm[3] = ABORTED }
  :: d_step { commitMsg -> rm[3] = COMMITTED }
  :: d_step { abortMsg -> rm[3] = ABORTED }
#endif
#if RMS > 4
  :: d_step { tm == TM_INIT && preparedMsg[4] -> tmPrepared[4] = 1 }
  :: d_step { rm[4] == WORKING -> rm[4] = PREPARED; preparedMsg[4] = 1 }
  :: d_step { rm[4] == WORKING -> rm[4] = ABORTED }
  :: d_step { commitMsg -> rm[4] = COMMITTED }
  :: d_step { abortMsg -> rm[4] = ABORTED }
#endif
#if RMS > 5
  :: d_step { tm == TM_INIT && preparedMsg[5] -> tmPrepared[5] = 1 }
  :: d_step { rm[5] == WORKING -> rm[5] = PREPARED; preparedMsg[5] = 1 }
  :: d_step { rm[5] == WORKING -> rm[5] = ABORTED }
  :: d_step { commitMsg -> rm[5] = COMMITTED }
  :: d_step { abortMsg -> rm[5] = ABORTED }
#endif
#if RMS > 6
  :: d_step { tm == TM_INIT && preparedMsg[6] -> tmPrepared[6] = 1 }
  :: d_step { rm[6] == WORKING -> rm[6] = PREPARED; preparedMsg[6] = 1 }
  :: d_step { rm[6] == WORKING -> rm[6] = ABORTED }
  :: d_step { commitMsg -> rm[6] = COMMITTED }
  :: d_step { abortMsg -> rm[6] = ABORTED }
#endif
#if RMS > 7
  :: d_step { tm == TM_INIT && preparedMsg[7] -> tmPrepared[7] = 1 }
  :: d_step { rm[7] == WORKING -> rm[7] = PREPARED; preparedMsg[7] = 1 }
  :: d_step { rm[7] == WORKING -> rm[7] = ABORTED }
  :: d_step { commitMsg -> rm[7] = COMMITTED }
  :: d_step { abortMsg -> rm[7] = ABORTED }
#endif
  od
}
