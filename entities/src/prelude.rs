pub use super::holidays::Entity as Holidays;
pub use super::jobs::Entity as Jobs;
pub use super::protocol_counters::Entity as ProtocolCounters;
pub use super::request_events::Entity as RequestEvents;
pub use super::requests::Entity as Requests;
pub use super::staff::Entity as Staff;
pub use super::staff_zones::Entity as StaffZones;
pub use super::zones::Entity as Zones;
