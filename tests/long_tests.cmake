# The longest tests start first, so on a fresh clone (no
# Testing/Temporary/CTestCostData.txt yet) none of them starts last and leaves the
# other cores idle. Seconds measured on 2 cores. Read by ctest after the tests that
# gtest_discover_tests found (release build), where a name that is not a test is
# ignored; included by tests/CMakeLists.txt in the sanitizer build, which runs each
# binary whole as one test and where only the names of tests are set.
set(long_tests
  PlateOcrExample.FromRenderedPlatesToAGatedBitExactInt8Model=23
  FlCli.FourClientProcessesSurviveAKilledClientAndAServerRestart=21
  DashboardTest.BrowserShowsSortsAndPlotsTheExperiments=7
  ArduinoLibrary.CompilesWithAvrGccForAnUnoAndFits=6
  ArmDspKernels.GiveTheReferenceIntegersOnCortexM4InFewerInstructions=5
  ExamplePipeline.FromTrackedDataToAGatedVerifiedModel=5
  # the sanitizer pass
  compress_test=31
  fl_test=21)
foreach(entry IN LISTS long_tests)
  string(REPLACE "=" ";" entry "${entry}")
  list(GET entry 0 name)
  list(GET entry 1 seconds)
  if(NOT COMMAND add_executable)  # read by ctest
    set_tests_properties(${name} PROPERTIES COST ${seconds})
  elseif(TEST ${name})
    set_tests_properties(${name} PROPERTIES COST ${seconds})
  endif()
endforeach()
