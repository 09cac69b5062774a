# SPDX-License-Identifier: Apache-2.0
# The aarch64-only bare-metal tests (included by tests/baremetal/CMakeLists.txt): the interrupt
# guests, delivered through the GIC's list registers with the guest on the real virtual timer
# (backends/baremetal/aarch64/vgic.h), checked like the common guests.
if(NOT EXISTS ${PROJECT_SOURCE_DIR}/backends/baremetal/aarch64/CMakeLists.txt)
  return()
endif()
foreach(guest timer irqstorm)
  add_test(NAME baremetal_aarch64_${guest}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh aarch64
      $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-aarch64.elf
      ${TANDEM_ARTIFACTS_DIR}/guests/aarch64/${guest}.elf ${expected_dir} ${guest})
  set_tests_properties(baremetal_aarch64_${guest} PROPERTIES
    LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60)
endforeach()
# Console input: the file is fed to QEMU's stdin once Tandem is up (run_image_test.sh).
add_test(NAME baremetal_aarch64_echo
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh aarch64
    $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-aarch64.elf
    ${TANDEM_ARTIFACTS_DIR}/guests/aarch64/echo.elf ${expected_dir} echo)
set_tests_properties(baremetal_aarch64_echo PROPERTIES
  LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60
  ENVIRONMENT IMAGE_INPUT=${PROJECT_SOURCE_DIR}/tests/integration/input/echo.txt)
# One physical CPU per vCPU (backends/baremetal/common/run_smp.h): packed with --cpus N, run
# with QEMU -smp N (run_image_test.sh IMAGE_SMP).
foreach(cpus 2 4)
  add_test(NAME baremetal_aarch64_smp_${cpus}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh aarch64
      $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-aarch64.elf
      ${TANDEM_ARTIFACTS_DIR}/guests/aarch64/smp.elf ${expected_dir} smp_${cpus})
  set_tests_properties(baremetal_aarch64_smp_${cpus} PROPERTIES
    LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60 ENVIRONMENT IMAGE_SMP=${cpus})
endforeach()
# An interrupt to a CPU waiting in WFI and to one spinning in the guest (the sender's kick).
add_test(NAME baremetal_aarch64_ipi
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_image_test.sh aarch64
    $<TARGET_FILE:tandem> ${TANDEM_ARTIFACTS_DIR}/images/tandem-aarch64.elf
    ${TANDEM_ARTIFACTS_DIR}/guests/aarch64/ipi.elf ${expected_dir} ipi)
set_tests_properties(baremetal_aarch64_ipi PROPERTIES
  LABELS baremetal SKIP_RETURN_CODE 77 TIMEOUT 60 ENVIRONMENT IMAGE_SMP=2)
