"""Demo data: one community centre with accounts, residents, wristbands, duties (:mod:`.seed`) and its
catalog, rewards and activities (:mod:`.community`)."""
