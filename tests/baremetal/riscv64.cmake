# SPDX-License-Identifier: Apache-2.0
# The riscv64-only bare-metal tests (included by tests/baremetal/CMakeLists.txt): guests from
# tests/baremetal/riscv64/, built by the riscv64 sub-build, packed into tandem-riscv64.elf and
# checked like the common guests (run_image_test.sh), plus the same guest alone on QEMU as the
# reference for the expected output.
if(NOT EXISTS ${PROJECT_SOURCE_DIR}/backends/baremetal/riscv64/CMakeLists.txt)
  return()
endif()
# Interrupt guests (guests/timer.cpp, irqstorm.cpp, echo.cpp) against the other backends'
# expected output; echo reads the same input file as the emu test.
foreach(guest timer irqstorm echo)
  add_test(NAME baremetal_riscv64_${guest}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh riscv64
      $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-riscv64.elf
      ${TANDEM_ARTIFACTS_DIR}/guests/riscv64/${guest}.elf
      ${PROJECT_SOURCE_DIR}/tests/integration/expected ${guest})
  set_tests_properties(baremetal_riscv64_${guest} PROPERTIES
    LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60)
endforeach()
set_tests_properties(baremetal_riscv64_echo PROPERTIES
  ENVIRONMENT IMAGE_INPUT=${PROJECT_SOURCE_DIR}/tests/integration/input/echo.txt)

foreach(guest hs_traps hs_irqs)
  set(elf ${TANDEM_ARTIFACTS_DIR}/baremetal-guests/riscv64/${guest}.elf)
  add_test(NAME baremetal_riscv64_${guest}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh riscv64
      $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-riscv64.elf ${elf}
      ${CMAKE_CURRENT_SOURCE_DIR} ${guest})
  add_test(NAME baremetal_riscv64_${guest}_qemu_reference
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/riscv64/run_reference.sh ${elf}
      ${CMAKE_CURRENT_SOURCE_DIR}/riscv64/${guest}.out
      ${CMAKE_CURRENT_SOURCE_DIR}/riscv64/${guest}.status)
  set_tests_properties(baremetal_riscv64_${guest} baremetal_riscv64_${guest}_qemu_reference
    PROPERTIES LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60)
endforeach()

# One hart per vCPU (backends/baremetal/common/run_smp.h): packed with --cpus N, run with QEMU
# -smp N (run_image_test.sh IMAGE_SMP).
foreach(cpus 2 4)
  add_test(NAME baremetal_riscv64_smp_${cpus}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh riscv64
      $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-riscv64.elf
      ${TANDEM_ARTIFACTS_DIR}/guests/riscv64/smp.elf ${expected_dir} smp_${cpus})
  set_tests_properties(baremetal_riscv64_smp_${cpus} PROPERTIES
    LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60 ENVIRONMENT IMAGE_SMP=${cpus})
endforeach()
# An interrupt to a CPU waiting in WFI and to one spinning in the guest (the sender's kick).
add_test(NAME baremetal_riscv64_ipi
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh riscv64
    $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-riscv64.elf
    ${TANDEM_ARTIFACTS_DIR}/guests/riscv64/ipi.elf ${expected_dir} ipi)
set_tests_properties(baremetal_riscv64_ipi PROPERTIES
  LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60 ENVIRONMENT IMAGE_SMP=2)
